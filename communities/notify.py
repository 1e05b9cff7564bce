"""Every notification and e-mail the communities send: the only module that talks to
the notifications centre. Each function is called by a service inside its
transaction and delivers once it commits (``transaction.on_commit``); texts are
written in French (the site's source language) whatever the actor's language.

The notifications centre (``notifications.services.notifications_send``, one call
for all the recipients of a notification) is imported when a notification leaves;
without the app the in-app part is skipped, e-mails are still sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.absolute_urls import absolute_url, site_root_url

from .models import Community, Event, Membership, MembershipState, Role
from .paths import community_path, event_path, invitation_path, members_path

# The kinds of notification the communities send: (code, label, default e-mail
# delivery), registered with the notifications centre by CommunitiesConfig.ready().
# Codes never change once used (they are stored with each preference).
KINDS = [
    ("community.request", gettext_lazy("Demandes d'adhésion à examiner"), "immediate"),
    ("community.request_decided", gettext_lazy("Réponses à mes demandes d'adhésion"), "immediate"),
    # The invitation itself always leaves by e-mail (to the invited address, with
    # or without an account): no second e-mail by default.
    ("community.invitation", gettext_lazy("Invitations à rejoindre une communauté"), "never"),
    ("community.membership", gettext_lazy("Mon rôle dans mes communautés"), "digest"),
    ("community.project", gettext_lazy("Mes projets dans les communautés"), "digest"),
    ("community.event", gettext_lazy("Événements de mes communautés"), "digest"),
    ("community.waitlist", gettext_lazy("Une place libérée pour un événement"), "immediate"),
    ("community.event_reminder", gettext_lazy("Rappels d'événements, la veille"), "immediate"),
    ("community.announcement", gettext_lazy("Annonces des modérateurs"), "digest"),
    ("community.proposal", gettext_lazy("Propositions de communautés"), "immediate"),
]


def register_kinds() -> None:
    try:
        from notifications.kinds import Delivery, register_kind
    except ImportError:  # the notifications centre is not installed
        return
    for code, label, default in KINDS:
        register_kind(code, label, default=Delivery(default))


def _deliver(*, recipients: list, kind: str, title: str, body: str, url: str, actor=None):
    try:
        from notifications.services import notifications_send
    except ImportError:  # the notifications centre is not installed
        return
    notifications_send(
        recipients=recipients, kind=kind, title=title, body=body, url=url, actor=actor
    )


def notify(*, recipients: Iterable, kind: str, title: str, body: str, url: str, actor=None):
    """Queue one in-app notification per recipient (never to the actor), sent after
    the commit. ``url`` is a path of this site."""
    people = [
        r
        for r in {r.pk: r for r in recipients if r is not None}.values()
        if r.is_active and (actor is None or r.pk != getattr(actor, "pk", None))
    ]
    if not people:
        return
    actor = actor if actor is not None and actor.is_authenticated else None

    def send() -> None:
        _deliver(recipients=people, kind=kind, title=title, body=body, url=url, actor=actor)

    transaction.on_commit(send)


def send_email(*, template: str, recipients: list[str], context: dict) -> None:
    """Render ``communities/emails/<template>_subject.txt`` and ``_body.txt`` and send
    them after the commit."""
    if not recipients:
        return
    context = {**context, "site_url": site_root_url(), "site_name": settings.WAGTAIL_SITE_NAME}

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"communities/emails/{template}_subject.txt", context)
            body = render_to_string(f"communities/emails/{template}_body.txt", context)
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)

    transaction.on_commit(send)


def _french():
    return translation.override(settings.LANGUAGE_CODE)


def moderators_of(community: Community) -> list:
    memberships = Membership.objects.filter(
        community=community, state=MembershipState.ACTIVE, role__in=[Role.OWNER, Role.MODERATOR]
    ).select_related("user")
    return [m.user for m in memberships]


def members_of(community: Community) -> list:
    memberships = Membership.objects.filter(
        community=community, state=MembershipState.ACTIVE
    ).select_related("user")
    return [m.user for m in memberships]


def editors() -> list:
    """People holding ``communities.change_community`` through a group or directly
    (superusers are not written to for every proposal)."""
    User = get_user_model()
    permissions = Permission.objects.filter(
        codename="change_community", content_type__app_label="communities"
    )
    return list(
        User.objects.filter(
            Q(user_permissions__in=permissions) | Q(groups__permissions__in=permissions),
            is_active=True,
        ).distinct()
    )


# --- membership ---------------------------------------------------------------------


def request_created(*, membership: Membership) -> None:
    community = membership.community
    with _french():
        title = _("Nouvelle demande d'adhésion à « %(name)s »") % {"name": community.name}
        body = _("%(user)s demande à rejoindre la communauté : « %(message)s »") % {
            "user": membership.user,
            "message": membership.request_message,
        }
    notify(
        recipients=moderators_of(community),
        kind="community.request",
        title=title,
        body=body,
        url=members_path(community),
        actor=membership.user,
    )


def request_decided(*, membership: Membership, approved: bool, actor, message: str) -> None:
    community = membership.community
    with _french():
        if approved:
            title = _("Bienvenue dans « %(name)s »") % {"name": community.name}
        else:
            title = _("Votre demande pour « %(name)s » n'a pas été acceptée") % {
                "name": community.name
            }
        body = message or ""
    notify(
        recipients=[membership.user],
        kind="community.request_decided",
        title=title,
        body=body,
        url=community_path(community),
        actor=actor,
    )


def invitation_sent(*, invitation, user=None) -> None:
    community = invitation.community
    send_email(
        template="invitation",
        recipients=[invitation.email],
        context={
            "invitation": invitation,
            "community": community,
            "inviter": invitation.invited_by,
            "accept_url": absolute_url(invitation_path(invitation.token)),
        },
    )
    if user is not None:
        with _french():
            title = _("%(inviter)s vous invite à rejoindre « %(name)s »") % {
                "inviter": invitation.invited_by,
                "name": community.name,
            }
        notify(
            recipients=[user],
            kind="community.invitation",
            title=title,
            body=invitation.message,
            url=invitation_path(invitation.token),
            actor=invitation.invited_by,
        )


def invitation_accepted(*, invitation, user) -> None:
    community = invitation.community
    with _french():
        title = _("%(user)s a rejoint « %(name)s » sur votre invitation") % {
            "user": user,
            "name": community.name,
        }
    notify(
        recipients=[invitation.invited_by],
        kind="community.membership",
        title=title,
        body="",
        url=members_path(community),
        actor=user,
    )


def role_changed(*, membership: Membership, actor) -> None:
    community = membership.community
    with _french():
        title = _("Votre rôle dans « %(name)s » : %(role)s") % {
            "name": community.name,
            "role": membership.get_role_display(),
        }
    notify(
        recipients=[membership.user],
        kind="community.membership",
        title=title,
        body="",
        url=community_path(community),
        actor=actor,
    )


def member_removed(*, membership: Membership, actor, banned: bool, message: str) -> None:
    community = membership.community
    with _french():
        if banned:
            title = _("Vous avez été exclu·e de « %(name)s »") % {"name": community.name}
        else:
            title = _("Vous ne faites plus partie de « %(name)s »") % {"name": community.name}
    notify(
        recipients=[membership.user],
        kind="community.membership",
        title=title,
        body=message,
        url=community_path(community),
        actor=actor,
    )


# --- projects -----------------------------------------------------------------------


def project_detached(*, community: Community, project, actor, message: str) -> None:
    User = get_user_model()
    team_ids = [project.owner_id, *project.members.values_list("user_id", flat=True)]
    with _french():
        title = _("« %(project)s » a été détaché de « %(name)s »") % {
            "project": project.title,
            "name": community.name,
        }
    notify(
        recipients=User.objects.filter(pk__in=[i for i in team_ids if i]),
        kind="community.project",
        title=title,
        body=message,
        url=community_path(community),
        actor=actor,
    )


# --- events -------------------------------------------------------------------------


def _event_when(event: Event) -> str:
    """« Le 12/05/2026 à 18:30. », in the event's time zone."""
    from zoneinfo import ZoneInfo

    start = event.start.astimezone(ZoneInfo(event.timezone))
    return _("Le %(date)s à %(time)s.") % {
        "date": start.strftime("%d/%m/%Y"),
        "time": start.strftime("%H:%M"),
    }


def event_created(*, event: Event, actor) -> None:
    with _french():
        title = _("Nouvel événement dans « %(name)s » : %(title)s") % {
            "name": event.community.name,
            "title": event.title,
        }
        body = _event_when(event)
    notify(
        recipients=members_of(event.community),
        kind="community.event",
        title=title,
        body=body,
        url=event_path(event),
        actor=actor,
    )


def event_changed(*, event: Event, actor, recipients, cancelled: bool, message: str = "") -> None:
    with _french():
        if cancelled:
            title = _("Événement annulé : %(title)s") % {"title": event.title}
        else:
            title = _("Événement modifié : %(title)s") % {"title": event.title}
        body = message or _event_when(event)
    notify(
        recipients=recipients,
        kind="community.event",
        title=title,
        body=body,
        url=event_path(event),
        actor=actor,
    )


def waitlist_promoted(*, rsvp) -> None:
    event = rsvp.event
    with _french():
        title = _("Une place s'est libérée : vous participez à « %(title)s »") % {
            "title": event.title
        }
        body = _event_when(event)
    notify(
        recipients=[rsvp.user],
        kind="community.waitlist",
        title=title,
        body=body,
        url=event_path(event),
    )


def event_reminder(*, event: Event, recipients) -> None:
    with _french():
        title = _("Rappel : « %(title)s » commence bientôt") % {"title": event.title}
        body = _event_when(event)
    notify(
        recipients=recipients,
        kind="community.event_reminder",
        title=title,
        body=body,
        url=event_path(event),
    )


def announcement_created(*, announcement) -> None:
    community = announcement.community
    with _french():
        title = _("Annonce dans « %(name)s » : %(title)s") % {
            "name": community.name,
            "title": announcement.title,
        }
    notify(
        recipients=members_of(community),
        kind="community.announcement",
        title=title,
        body=announcement.body[:500],
        url=community_path(community),
        actor=announcement.author,
    )


# --- proposals ----------------------------------------------------------------------


def proposal_created(*, community: Community, proposer) -> None:
    with _french():
        title = _("Nouvelle proposition de communauté : « %(name)s »") % {"name": community.name}
    notify(
        recipients=editors(),
        kind="community.proposal",
        title=title,
        body=community.short_description,
        url=reverse("wagtailsnippets_communities_community:list"),
        actor=proposer,
    )


def proposal_decided(*, community: Community, approved: bool, actor, message: str) -> None:
    with _french():
        if approved:
            title = _("Votre communauté « %(name)s » est ouverte") % {"name": community.name}
        else:
            title = _("Votre proposition « %(name)s » n'a pas été retenue") % {
                "name": community.name
            }
    notify(
        recipients=[community.proposed_by],
        kind="community.proposal",
        title=title,
        body=message,
        url=community_path(community),
        actor=actor,
    )
