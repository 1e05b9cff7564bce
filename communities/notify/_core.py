"""What every communities notification goes through: the kinds registered with the
notifications centre, delivery after the commit, e-mails, scopes and withdrawal,
and who the usual recipients are."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.absolute_urls import site_root_url

from ..models import Community, Membership, MembershipState, Role

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
    # Channels (issue 13): in-app at once, e-mail in the daily digest by default.
    ("community.chat_mention", gettext_lazy("Mentions dans les salons"), "digest"),
    ("community.chat_reply", gettext_lazy("Réponses à mes messages"), "digest"),
    ("community.chat_direct", gettext_lazy("Messages directs"), "digest"),
    ("community.chat_report", gettext_lazy("Messages signalés à modérer"), "immediate"),
]


def register_kinds() -> None:
    try:
        from notifications.kinds import Delivery, register_kind
    except ImportError:  # the notifications centre is not installed
        return
    for code, label, default in KINDS:
        register_kind(code, label, default=Delivery(default))


def community_scope(community: Community | int) -> str:
    """The notifications centre's scope of what a community's notifications show."""
    return f"community:{community if isinstance(community, int) else community.pk}"


def _deliver(*, recipients: list, kind: str, title: str, body: str, url: str, actor=None, scope=""):
    try:
        from notifications.services import notifications_send
    except ImportError:  # the notifications centre is not installed
        return
    notifications_send(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=url,
        actor=actor,
        scope=scope,
    )


def _withdraw(*, user, scope: str) -> None:
    try:
        from notifications.services import notifications_withdraw
    except ImportError:  # the notifications centre is not installed
        return
    notifications_withdraw(recipient=user, scope=scope)


def withdraw(*, user, community: Community) -> None:
    """After the commit, take back from ``user`` every notification about
    ``community``'s content (removed or banned: they no longer see it). Queued after
    what the same transaction already queued, so the notice of the removal itself
    (unscoped) stays."""
    scope = community_scope(community)
    transaction.on_commit(lambda: _withdraw(user=user, scope=scope), robust=True)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str,
    url: str,
    actor=None,
    scope: str = "",
):
    """Queue one in-app notification per recipient (never to the actor), sent after
    the commit. ``url`` is a path of this site; ``scope`` (``community_scope``) marks
    what shows a community's content."""
    people = [
        r
        for r in {r.pk: r for r in recipients if r is not None}.values()
        if r.is_active and (actor is None or r.pk != getattr(actor, "pk", None))
    ]
    if not people:
        return
    actor = actor if actor is not None and actor.is_authenticated else None

    def send() -> None:
        _deliver(
            recipients=people,
            kind=kind,
            title=title,
            body=body,
            url=url,
            actor=actor,
            scope=scope,
        )

    transaction.on_commit(send, robust=True)


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

    # robust: an SMTP failure is logged by Django, never turned into an error page
    # for a change that is already committed.
    transaction.on_commit(send, robust=True)


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
    """Active people who may approve a proposal: holding ``communities.change_community``
    through a group or directly, and superusers (who hold every permission: on a site
    whose only editor is its superuser, a proposal would otherwise reach nobody)."""
    User = get_user_model()
    permissions = Permission.objects.filter(
        codename="change_community", content_type__app_label="communities"
    )
    return list(
        User.objects.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permissions)
            | Q(groups__permissions__in=permissions),
            is_active=True,
        ).distinct()
    )
