"""What each viewer finds: the directory and its filters, a community's members and
events, the search principals, suggestions."""

from __future__ import annotations

import pytest

from communities import services
from communities.models import CommunityTerritory
from communities.permissions import community_principals, community_visible_to
from communities.selectors import (
    communities_directory,
    communities_of_user,
    communities_suggested,
    community_get_visible,
    community_hosts,
    community_members,
    event_get_visible,
    events_upcoming,
    events_upcoming_for_user,
    membership_requests_pending,
)
from innovations.models import Territory, Theme
from tests.factories import CommunityFactory, EventFactory, UserFactory

from .conftest import add_member, invite

pytestmark = pytest.mark.django_db


def _place(community, level, code):
    territory = Territory.objects.get(level=level, code=code)
    CommunityTerritory.objects.create(community=community, territory=territory)
    return territory


@pytest.mark.parametrize(
    ("visibility", "role", "listed", "members_seen"),
    [
        ("public", None, True, True),
        ("public", "banned", True, False),
        ("private", None, True, False),
        ("private", "requested", True, False),
        ("private", "active", True, True),
        ("private", "banned", True, False),
        ("secret", None, False, False),
        ("secret", "invited", True, False),
        ("secret", "requested", False, False),
        ("secret", "active", True, True),
        ("secret", "banned", False, False),
    ],
)
def test_who_finds_a_community_and_its_members(visibility, role, listed, members_seen):
    community = CommunityFactory(visibility=visibility, slug="cible")
    add_member(community, role="owner")
    viewer = UserFactory()
    if role:
        add_member(community, user=viewer, state=role)
    if role == "invited":  # invited while the invitation works (test_review_fixes)
        invite(community, email=viewer.email)
    assert (community in communities_directory(user=viewer)) is listed
    assert (community_get_visible(slug="cible", user=viewer) is not None) is listed
    assert bool(community_members(community=community, viewer=viewer)) is members_seen
    event = EventFactory(community=community)
    assert (event_get_visible(event_id=event.pk, user=viewer) is not None) is members_seen
    assert bool(events_upcoming(community=community, viewer=viewer)) is members_seen


def test_an_invitation_by_e_mail_alone_shows_a_secret_community_to_its_addressee():
    community = CommunityFactory(visibility="secret")
    person = UserFactory()
    assert community not in community_visible_to(user=person)
    invite(community, email=person.email)
    assert community in community_visible_to(user=person)


def test_anonymous_visitors_and_editors(editor):
    from django.contrib.auth.models import AnonymousUser

    public, private, secret = (
        CommunityFactory(visibility=v) for v in ("public", "private", "secret")
    )
    proposed = CommunityFactory(status="proposed")
    assert set(communities_directory(user=AnonymousUser())) == {public, private}
    assert set(community_visible_to(user=editor)) == {public, private, secret, proposed}
    assert not community_members(community=private, viewer=AnonymousUser())


def test_the_directory_filters_by_kind_policy_theme_territory_and_text(territories):
    inclusion = Theme.objects.get(code="numerique.inclusion-numerique")
    creuse = CommunityFactory(
        name="Numérique en Creuse", kind="territoriale", join_policy="request"
    )
    _place(creuse, "departement", "23")
    creuse.themes.add(inclusion)
    regional = CommunityFactory(name="Nouvelle-Aquitaine solidaire", kind="territoriale")
    _place(regional, "region", "75")
    thematic = CommunityFactory(name="Cantines bio", kind="thematique")
    thematic.theme_domains.add(inclusion.domain)
    viewer = UserFactory()

    def names(**filters):
        return {c.name for c in communities_directory(user=viewer, **filters)}

    assert names(kind="territoriale") == {creuse.name, regional.name}
    assert names(join_policy="request") == {creuse.name}
    assert names(theme=inclusion) == {creuse.name, thematic.name}
    assert names(domain=inclusion.domain) == {creuse.name, thematic.name}
    gueret = Territory.objects.get(level="commune", code="23096")
    assert names(territory=gueret) == {creuse.name, regional.name}
    region = Territory.objects.get(level="region", code="75")
    assert names(territory=region) == {creuse.name, regional.name}
    assert names(query="cantines") == {thematic.name}
    row = communities_directory(user=viewer, query="creuse").get()
    assert row.member_count == 0


def test_hosts_and_pending_requests(community):
    moderator = add_member(community, role="moderator").user
    add_member(community)
    requester = add_member(community, state="requested").user
    hosts = community_hosts(community=community)
    assert [m.user for m in hosts] == [community.owner_user, moderator]
    assert [m.user for m in membership_requests_pending(community=community, viewer=moderator)] == [
        requester
    ]
    assert not membership_requests_pending(community=community, viewer=requester).exists()


def test_my_communities_and_my_upcoming_events(community):
    me = UserFactory()
    add_member(community, user=me)
    other = CommunityFactory(join_policy="request")
    add_member(other, user=me, state="requested")
    left = CommunityFactory()
    add_member(left, user=me, state="left")
    states = {(m.community, m.state) for m in communities_of_user(user=me)}
    assert states == {(community, "active"), (other, "requested")}
    event = EventFactory(community=community)
    EventFactory(community=other)
    assert list(events_upcoming_for_user(user=me)) == [event]


def test_search_principals_follow_active_memberships_only(community):
    me = UserFactory()
    assert community_principals(me) == set()
    services.membership_join(community=community, user=me)
    assert community_principals(me) == {f"community:{community.pk}"}
    services.membership_ban(community=community, actor=community.owner_user, user=me)
    assert community_principals(me) == set()


def test_suggestions_match_interests_and_home_territory(territories):
    inclusion = Theme.objects.get(code="numerique.inclusion-numerique")
    me = UserFactory()
    me.profile.interests.add(inclusion)
    me.profile.home_territory = Territory.objects.get(level="commune", code="23096")
    me.profile.save()
    both = CommunityFactory(name="Numérique en Creuse")
    both.themes.add(inclusion)
    _place(both, "departement", "23")
    theme_only = CommunityFactory(name="Inclusion numérique")
    theme_only.themes.add(inclusion)
    secret = CommunityFactory(name="Secrète", visibility="secret")
    secret.themes.add(inclusion)
    joined = CommunityFactory(name="Déjà membre")
    joined.themes.add(inclusion)
    add_member(joined, user=me)
    CommunityFactory(name="Sans rapport")
    assert [c.name for c in communities_suggested(user=me)] == [both.name, theme_only.name]
    assert communities_suggested(user=UserFactory()) == []
