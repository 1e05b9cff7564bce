"""What the review of issue 12 found in the communities core, each with the behaviour
that now holds. The races need PostgreSQL: they are in test_concurrency.py."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from accounts.services import account_delete
from communities import notify, services
from communities.models import (
    AuditAction,
    AuditEntry,
    CommunityInvitation,
    CommunityProject,
    Event,
    FeedItem,
    Membership,
)
from communities.permissions import CommunityPermissionDenied, can_see_community
from communities.selectors import (
    communities_of_user,
    community_projects,
    feed_community,
    feed_personal,
    feed_public,
    invitations_pending,
    projects_attachable,
)
from communities.services.events import EventInput
from notifications.models import Notification
from tests.factories import CommunityFactory, EventFactory, UserFactory

from .conftest import add_member, invite, refused

pytestmark = pytest.mark.django_db


def _restrict(project, kind=PageViewRestriction.LOGIN):
    return PageViewRestriction.objects.create(
        page=project, restriction_type=kind, password="secret" if kind == "password" else ""
    )


# --- 1. restricted projects --------------------------------------------------------------


@pytest.fixture
def porteuse(community, owner):
    add_member(community, user=owner)
    return owner


@pytest.mark.parametrize("kind", [PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD])
def test_a_restricted_project_cannot_be_attached(community, porteuse, make_project, kind):
    project = make_project(owner=porteuse, title="Projet réservé")
    _restrict(project, kind)
    assert list(projects_attachable(community=community, user=porteuse)) == []
    with refused(ValidationError, "accès restreint", "restricted"):
        services.project_attach(community=community, project=project, user=porteuse)
    assert not CommunityProject.objects.exists()


def test_a_project_restricted_after_it_was_attached_leaves_every_community_surface(
    community, porteuse, make_project
):
    project = make_project(owner=porteuse, title="Projet réservé plus tard")
    link = services.project_attach(community=community, project=project, user=porteuse)
    item = FeedItem.objects.get(project_link=link)
    assert item in feed_community(community=community, viewer=None)

    _restrict(project)

    assert list(community_projects(community=community, viewer=porteuse)) == []
    assert item not in feed_community(community=community, viewer=porteuse)
    assert item not in feed_personal(user=porteuse)
    assert item not in feed_public(community=community)


def test_the_communitys_projects_cost_the_same_queries_however_many(
    community, porteuse, make_project
):
    def read_cards():
        with CaptureQueriesContext(connection) as queries:
            for link in community_projects(community=community, viewer=None):
                project = link.project
                _ = (project.main_image, list(project.themes.all()), list(project.locations.all()))
                _ = [t.domain for t in project.themes.all()]
                _ = [loc.territory for loc in project.locations.all()]
                _ = list(project.source_records.all())
        return len(queries)

    first = make_project(owner=porteuse, title="Premier projet")
    CommunityProject.objects.create(community=community, project=first)
    one = read_cards()
    for title in ("Deuxième projet", "Troisième projet"):
        CommunityProject.objects.create(
            community=community, project=make_project(owner=porteuse, title=title)
        )
    assert read_cards() == one


# --- 2. an invitation that expired invites no more ---------------------------------------


def _expire(invitation):
    CommunityInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


@pytest.fixture
def secret(community):
    community.visibility, community.join_policy = "secret", "open"
    community.save()
    return community


@pytest.fixture
def expired_guest(secret):
    """Marked « invité·e », with an invitation that has expired."""
    guest = UserFactory()
    add_member(secret, user=guest, state="invited")
    invitation = invite(secret, email=guest.email, inviter=secret.owner_user)
    _expire(invitation)
    guest.invitation = invitation
    return guest


def test_an_expired_invitation_no_longer_shows_a_secret_community(secret, expired_guest):
    assert not can_see_community(community=secret, user=expired_guest)
    assert [m.community for m in communities_of_user(user=expired_guest)] == []


def test_an_expired_invitation_no_longer_lets_one_join_a_secret_community(secret, expired_guest):
    with refused(CommunityPermissionDenied, "que sur invitation"):
        services.membership_join(community=secret, user=expired_guest, charter_accepted=True)


def test_an_expired_invitation_no_longer_stops_a_request(community):
    community.join_policy = "request"
    community.save()
    guest = UserFactory()
    add_member(community, user=guest, state="invited")
    _expire(invite(community, email=guest.email))
    membership = services.membership_request(
        community=community, user=guest, message="Je voudrais participer.", charter_accepted=True
    )
    assert membership.state == "requested"


def test_an_expired_invitation_can_still_be_declined(secret, expired_guest):
    services.invitation_decline(token=expired_guest.invitation.token, user=expired_guest)
    assert not Membership.objects.filter(community=secret, user=expired_guest).exists()
    expired_guest.invitation.refresh_from_db()
    assert expired_guest.invitation.declined_at is not None


def test_an_expired_invitation_still_cannot_be_accepted(secret, expired_guest):
    with refused(ValidationError, "a expiré", "expired"):
        services.invitation_accept(
            token=expired_guest.invitation.token, user=expired_guest, charter_accepted=True
        )


def test_the_moderators_pending_list_leaves_out_expired_invitations(secret, expired_guest):
    fresh = invite(secret, email="nouvelle@exemple.org", inviter=secret.owner_user)
    pending = invitations_pending(community=secret, viewer=secret.owner_user)
    assert list(pending) == [fresh]


def test_a_live_invitation_still_shows_the_secret_community(secret):
    guest = UserFactory()
    add_member(secret, user=guest, state="invited")
    invite(secret, email=guest.email)
    assert can_see_community(community=secret, user=guest)
    assert [m.community for m in communities_of_user(user=guest)] == [secret]


# --- 3. a ban takes back the notifications about the community ---------------------------


@pytest.fixture
def private(community):
    community.visibility = "private"
    community.save()
    return community


def test_a_ban_takes_back_the_notifications_about_the_communitys_content(private, commit):
    member = add_member(private).user
    elsewhere = CommunityFactory()
    add_member(elsewhere, user=member)
    add_member(elsewhere, user=private.owner_user, role="owner")
    with commit():
        services.announcement_create(
            community=private,
            actor=private.owner_user,
            title="Réunion privée",
            body="Ordre du jour",
        )
        services.event_create(
            community=private,
            actor=private.owner_user,
            data=EventInput(
                title="Atelier réservé",
                start=timezone.now() + timedelta(days=3),
                end=timezone.now() + timedelta(days=3, hours=2),
                address="Guéret",
            ),
        )
        services.announcement_create(
            community=elsewhere, actor=private.owner_user, title="Ailleurs", body="Texte"
        )
    received = Notification.objects.filter(recipient=member)
    assert set(received.values_list("scope", flat=True)) == {
        f"community:{private.pk}",
        f"community:{elsewhere.pk}",
    }

    with commit():
        services.membership_ban(community=private, actor=private.owner_user, user=member)

    titles = list(Notification.objects.filter(recipient=member).values_list("title", flat=True))
    assert not any("Réunion privée" in t or "Atelier réservé" in t for t in titles)
    assert any("Ailleurs" in t for t in titles)
    assert any("Vous avez été exclu·e" in t for t in titles)  # the notice itself stays


def test_a_removal_takes_back_the_notifications_too(private, commit):
    member = add_member(private).user
    with commit():
        services.announcement_create(
            community=private, actor=private.owner_user, title="Réunion privée", body="Texte"
        )
    with commit():
        services.membership_remove(community=private, actor=private.owner_user, user=member)
    titles = list(Notification.objects.filter(recipient=member).values_list("title", flat=True))
    assert len(titles) == 1 and "Vous ne faites plus partie" in titles[0]


def test_the_ban_notice_itself_carries_no_scope(private, sent, commit):
    member = add_member(private).user
    with commit():
        services.membership_ban(community=private, actor=private.owner_user, user=member)
    (notice,) = [s for s in sent if s.recipients == [member.email]]
    assert notice.scope == ""


# --- 6. what leaves after the commit never fails the request -----------------------------


def test_an_smtp_failure_after_the_commit_is_logged_not_raised(
    community, commit, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("plus de serveur")

    monkeypatch.setattr(notify._core, "send_mail", broken)
    with caplog.at_level(logging.ERROR), commit():
        invitation = services.invitation_create(
            community=community, inviter=community.owner_user, email="nouvelle@exemple.org"
        )
    assert CommunityInvitation.objects.filter(pk=invitation.pk).exists()
    assert "plus de serveur" in caplog.text


# --- 8. owners who can act, and the succession of a deleted account ----------------------


def test_a_deactivated_co_owner_does_not_count_so_the_last_active_owner_stays(community):
    co_owner = add_member(community, role="owner").user
    co_owner.is_active = False
    co_owner.save()
    with refused(ValidationError, "garde toujours un propriétaire", "last_owner"):
        services.membership_leave(community=community, user=community.owner_user)


def test_a_deleted_last_owner_hands_over_audited_and_told_to_an_active_successor(community, commit):
    owner = community.owner_user
    sleeping = add_member(community, role="moderator").user
    sleeping.is_active = False
    sleeping.save()
    moderator = add_member(community, role="moderator").user
    with commit():
        account_delete(user=owner)
    assert Membership.objects.get(community=community, user=moderator).role == "owner"
    assert Membership.objects.get(community=community, user=sleeping).role == "moderator"
    entry = AuditEntry.objects.get(community=community, action=AuditAction.OWNERSHIP)
    assert entry.target_user == moderator
    told = Notification.objects.get(recipient=moderator, kind="community.membership")
    assert "propriétaire" in told.title


def test_a_co_owner_whose_account_is_inactive_does_not_stop_the_succession(community):
    dormant = add_member(community, role="owner").user
    dormant.is_active = False
    dormant.save()
    member = add_member(community).user
    account_delete(user=community.owner_user)
    assert Membership.objects.get(community=community, user=member).role == "owner"


# --- 10. invitations cannot flood inboxes ------------------------------------------------


def test_an_inviter_has_a_daily_cap_per_community(community, settings):
    settings.CARREFOUR_COMMUNITY_INVITATIONS_PER_DAY = 2
    owner = community.owner_user
    first = services.invitation_create(community=community, inviter=owner, email="a@exemple.org")
    services.invitation_create(community=community, inviter=owner, email="b@exemple.org")
    services.invitation_revoke(invitation=first, actor=owner)  # revoking gives none back
    with refused(ValidationError, "c'est le maximum", "too_many_invitations"):
        services.invitation_create(community=community, inviter=owner, email="c@exemple.org")
    # Another moderator, or another community, has their own count.
    other = add_member(community, role="moderator").user
    services.invitation_create(community=community, inviter=other, email="c@exemple.org")


def test_the_same_address_is_invited_again_only_after_an_hour(community):
    owner = community.owner_user
    first = services.invitation_create(community=community, inviter=owner, email="a@exemple.org")
    with refused(ValidationError, "moins d'une heure", "recently_invited"):
        services.invitation_create(community=community, inviter=owner, email=" A@Exemple.org ")
    CommunityInvitation.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    services.invitation_create(community=community, inviter=owner, email="a@exemple.org")


# --- 11. no reminder to the waiting list -------------------------------------------------


def test_reminders_skip_the_people_still_waiting_for_a_place(community, sent, commit):
    now = timezone.now()
    event = EventFactory(community=community, start=now + timedelta(hours=5), capacity=1)
    going, waiting = add_member(community).user, add_member(community).user
    services.rsvp_set(event=event, user=going, answer="going")
    assert services.rsvp_set(event=event, user=waiting, answer="going").waitlisted
    with commit():
        services.event_reminders_send(now=now)
    (notice,) = [s for s in sent if s.kind == "community.event_reminder"]
    assert notice.recipients == [going.email]


# --- 12. rows deleted meanwhile: a French error, never DoesNotExist ----------------------


def test_revoking_an_invitation_deleted_meanwhile_is_a_french_error(community):
    invitation = invite(community, email="a@exemple.org")
    CommunityInvitation.objects.filter(pk=invitation.pk).delete()
    with refused(ValidationError, "n'existe pas", "invalid"):
        services.invitation_revoke(invitation=invitation, actor=community.owner_user)


@pytest.mark.parametrize("action", ["rsvp", "update", "cancel"])
def test_an_event_deleted_meanwhile_is_a_french_error(community, action):
    event = EventFactory(community=community)
    member = add_member(community).user
    Event.objects.filter(pk=event.pk).delete()
    with refused(ValidationError, "n'existe plus", "invalid"):
        if action == "rsvp":
            services.rsvp_set(event=event, user=member, answer="going")
        elif action == "update":
            start = timezone.now() + timedelta(days=2)
            services.event_update(
                event=event,
                actor=community.owner_user,
                data=EventInput(
                    title="Nouveau titre",
                    start=start,
                    end=start + timedelta(hours=1),
                    address="Ici",
                ),
            )
        else:
            services.event_cancel(event=event, actor=community.owner_user)


# --- 17. proposals reach the superusers --------------------------------------------------


def test_a_proposal_reaches_active_superusers(commit):
    admin = UserFactory(is_superuser=True, is_staff=True)
    retired = UserFactory(is_superuser=True, is_staff=True, is_active=False)
    proposer = UserFactory()
    with commit():
        services.community_propose(
            user=proposer,
            data=services.CommunityInput(
                name="Tiers-lieux du Limousin", short_description="Des lieux qui s'entraident."
            ),
        )
    assert Notification.objects.filter(recipient=admin, kind="community.proposal").exists()
    assert not Notification.objects.filter(recipient=retired).exists()
    assert admin in notify.editors() and retired not in notify.editors()
