"""Every notification and e-mail the communities send: the only package that talks to
the notifications centre. Each function is called by a service inside its
transaction and delivers once it commits (``transaction.on_commit``); texts are
written in French (the site's source language) whatever the actor's language.

The notifications centre (``notifications.services.notifications_send``, one call
for all the recipients of a notification) is imported when a notification leaves;
without the app the in-app part is skipped, e-mails are still sent. What leaves
after the commit never fails the request that caused it (``robust=True``: an SMTP
error is logged, the change stays made).

Notifications about a community's content carry its scope (``community_scope``):
when a person is removed or banned, ``withdraw`` takes them back from the
notifications centre. What tells the person about themselves (their request
decided, their removal, their proposal decided) carries none and stays.

One module per area (``_core``: the kinds, delivery, e-mails, recipients;
``membership``, ``events``, ``content``: projects and announcements, ``proposals``,
``inspirations``: « S'en inspirer »);
``from communities import notify; notify.X`` reaches every one of them.
"""

from . import chat, inspirations
from ._core import (
    KINDS,
    community_scope,
    editors,
    members_of,
    moderators_of,
    notify,
    register_kinds,
    send_email,
    withdraw,
)
from .content import announcement_created, project_detached
from .events import _event_when, event_changed, event_created, event_reminder, waitlist_promoted
from .membership import (
    invitation_accepted,
    invitation_sent,
    member_removed,
    ownership_inherited,
    request_created,
    request_decided,
    role_changed,
)
from .proposals import proposal_created, proposal_decided

__all__ = [
    "KINDS",
    "_event_when",  # the date line of an event, also in its Atom entry and search card
    "announcement_created",
    "chat",
    "community_scope",
    "editors",
    "event_changed",
    "event_created",
    "event_reminder",
    "inspirations",
    "invitation_accepted",
    "invitation_sent",
    "member_removed",
    "members_of",
    "moderators_of",
    "notify",
    "ownership_inherited",
    "project_detached",
    "proposal_created",
    "proposal_decided",
    "register_kinds",
    "request_created",
    "request_decided",
    "role_changed",
    "send_email",
    "waitlist_promoted",
    "withdraw",
]
