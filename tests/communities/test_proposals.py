"""Members propose communities; editors approve or refuse them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from communities import services
from communities.models import Community, Membership
from communities.permissions import CommunityPermissionDenied, can_see_community
from communities.selectors import communities_directory
from communities.services import CommunityInput
from tests.factories import UserFactory

from .conftest import refused

pytestmark = pytest.mark.django_db


def _proposal(**overrides) -> CommunityInput:
    values = {
        "name": "Alimentation durable en Nouvelle-Aquitaine",
        "short_description": "Circuits courts, cantines bio et jardins partagés.",
        "kind": "mixte",
        "presentation": "Premier paragraphe.\n\n<script>alert(1)</script>",
        "charter": "Bienveillance.",
    }
    values.update(overrides)
    return CommunityInput(**values)


def test_a_member_proposes_a_community_that_waits_for_the_editors(user, editor, sent, commit):
    with commit():
        community = services.community_propose(user=user, data=_proposal())
    assert community.status == "proposed" and community.proposed_by == user
    assert community.slug == "alimentation-durable-en-nouvelle-aquitaine"
    assert "&lt;script&gt;" in community.presentation and "<script>" not in community.presentation
    membership = Membership.objects.get(community=community, user=user)
    assert (membership.role, membership.state) == ("owner", "active")
    (notice,) = [s for s in sent if s.kind == "community.proposal"]
    assert notice.recipients == [editor.email]
    outsider = UserFactory()
    assert not can_see_community(community=community, user=outsider)
    assert can_see_community(community=community, user=user)
    assert community not in communities_directory(user=outsider)


def test_two_proposals_with_the_same_name_get_distinct_addresses(user):
    first = services.community_propose(user=user, data=_proposal())
    second = services.community_propose(user=user, data=_proposal())
    assert second.slug == f"{first.slug}-2"


def test_a_proposal_with_bad_input_says_what_is_wrong(user):
    with pytest.raises(ValidationError) as info:
        services.community_propose(
            user=user,
            data=_proposal(name="", short_description="", kind="autre", contact_email="non"),
        )
    assert set(info.value.error_dict) == {"name", "short_description", "kind", "contact_email"}
    assert not Community.objects.exists()


@override_settings(CARREFOUR_COMMUNITY_PROPOSALS=False)
def test_proposals_can_be_closed(user):
    with refused(CommunityPermissionDenied, "propositions de communautés sont fermées"):
        services.community_propose(user=user, data=_proposal())


def test_an_editor_approves_and_the_proposer_is_told(user, editor, sent, commit):
    community = services.community_propose(user=user, data=_proposal())
    with commit():
        services.community_approve(community=community, actor=editor, message="Bravo !")
    community.refresh_from_db()
    assert community.status == "active"
    assert community in communities_directory(user=UserFactory())
    (notice,) = [s for s in sent if s.kind == "community.proposal" and user.email in s.recipients]
    assert "est ouverte" in notice.title and notice.body == "Bravo !"
    with refused(ValidationError, "pas en attente", "not_proposed"):
        services.community_approve(community=community, actor=editor)


def test_a_refused_proposal_is_archived(user, editor):
    community = services.community_propose(user=user, data=_proposal())
    services.community_refuse(community=community, actor=editor, message="Doublon.")
    community.refresh_from_db()
    assert community.status == "archived"
    assert not can_see_community(community=community, user=UserFactory())


def test_only_editors_decide(user, moderator):
    community = services.community_propose(user=user, data=_proposal())
    for actor in (user, moderator):
        with refused(CommunityPermissionDenied, "Seule l'équipe éditoriale"):
            services.community_approve(community=community, actor=actor)
