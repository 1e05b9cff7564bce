"""Notifications about joining, invitations and roles."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.absolute_urls import absolute_url

from ..models import Membership
from ..paths import community_path, invitation_path, members_path
from ._core import _french, community_scope, moderators_of, notify, send_email


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
        scope=community_scope(community),
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
            scope=community_scope(community),
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
        scope=community_scope(community),
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
        scope=community_scope(community),
    )


def ownership_inherited(*, membership: Membership) -> None:
    """The community passed to ``membership.user`` when its last owner deleted their
    account."""
    community = membership.community
    with _french():
        title = _("Vous êtes maintenant propriétaire de « %(name)s »") % {"name": community.name}
        body = _(
            "Son dernier propriétaire a supprimé son compte : la communauté vous est "
            "confiée. Vous pouvez la transmettre à un autre membre depuis la liste des "
            "membres."
        )
    notify(
        recipients=[membership.user],
        kind="community.membership",
        title=title,
        body=body,
        url=community_path(community),
        scope=community_scope(community),
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
