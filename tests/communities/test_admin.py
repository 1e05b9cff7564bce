"""The Wagtail admin: editors create and edit communities (the creator owns them),
read events, memberships and the audit trail, and decide on proposals."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from communities import services
from communities.models import AuditAction, AuditEntry, Community, Membership
from communities.services import CommunityInput
from innovations.models import Territory
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    creuse = Territory.objects.get(level="departement", code="23")
    values = {
        "name": "Creuse solidaire",
        "slug": "creuse-solidaire",
        "short_description": "Les initiatives solidaires de la Creuse.",
        "presentation": rich_text("<p>Rencontres chaque trimestre.</p>"),
        "contact_email": "animation@creuse.example.org",
        "kind": "territoriale",
        "visibility": "public",
        "join_policy": "request",
        "charter": "Bienveillance.",
        "status": "active",
        "territory_links": inline_formset([{"territory": creuse.pk}]),
    }
    values.update(overrides)
    return nested_form_data(values)


def test_an_editor_creates_a_territorial_community_and_owns_it(
    client, site_pages, territories, editor
):
    client.force_login(editor)
    response = client.post(reverse("wagtailsnippets_communities_community:add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    community = Community.objects.get(slug="creuse-solidaire")
    assert [t.code for t in community.territories.all()] == ["23"]
    membership = Membership.objects.get(community=community)
    assert (membership.user, membership.role, membership.state) == (editor, "owner", "active")
    assert AuditEntry.objects.filter(community=community, action=AuditAction.COMMUNITY_CREATED)
    listing = client.get(
        reverse("wagtailsnippets_communities_community:list"), {"kind": "territoriale"}
    )
    assert "Creuse solidaire" in listing.content.decode()
    # an edit is audited and keeps the one owner
    edit = reverse("wagtailsnippets_communities_community:edit", args=[community.pk])
    link = community.territory_links.get()
    kept = inline_formset([{"id": link.pk, "territory": link.territory_id}], initial=1)
    response = client.post(edit, _form(name="Creuse solidaire et active", territory_links=kept))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.COMMUNITY_UPDATED).count() == 1
    assert Membership.objects.filter(community=community).count() == 1


def test_events_memberships_and_the_audit_are_read_only(client, site_pages, editor, community):
    EventFactory(community=community, title="Forum d'automne")
    services.membership_join(community=community, user=editor)
    client.force_login(editor)
    for model in ("event", "membership", "auditentry", "announcement"):
        listing = client.get(reverse(f"wagtailsnippets_communities_{model}:list"))
        assert listing.status_code == 200, model
        add = client.get(reverse(f"wagtailsnippets_communities_{model}:add"))
        assert add.status_code in {302, 403}, model
    audit = client.get(reverse("wagtailsnippets_communities_auditentry:list")).content.decode()
    assert "Adhésion" in audit
    assert (
        "Forum d&#x27;automne"
        in client.get(reverse("wagtailsnippets_communities_event:list")).content.decode()
    )


def test_an_editor_approves_a_proposal_from_the_admin(
    client, site_pages, editor, user, sent, commit
):
    community = services.community_propose(
        user=user,
        data=CommunityInput(name="Habitat partagé", short_description="Habiter ensemble."),
    )
    client.force_login(editor)
    listing = client.get(reverse("wagtailsnippets_communities_community:list")).content.decode()
    decide = reverse("communities_admin:decide", args=[community.pk])
    assert decide in listing
    assert "Habitat partagé" in client.get(decide).content.decode()
    with commit():
        response = client.post(decide, {"approve": "1", "message": "Bienvenue !"})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.status == "active"
    assert any(s.kind == "community.proposal" and user.email in s.recipients for s in sent)


def test_people_who_are_not_editors_cannot_decide(client, site_pages, moderator, user):
    community = services.community_propose(
        user=user, data=CommunityInput(name="Habitat", short_description="Ensemble.")
    )
    client.force_login(moderator)
    response = client.post(
        reverse("communities_admin:decide", args=[community.pk]), {"approve": "1"}
    )
    # Wagtail answers a PermissionDenied of its admin with a redirect to the dashboard.
    assert (response.status_code, response.get("Location")) in {(403, None), (302, "/admin/")}
    community.refresh_from_db()
    assert community.status == "proposed"
