"""Every change to a community goes through these services (one module per area).

Each one checks first (``communities.rules.ACTIONS``: CommunityPermissionDenied or a
French ValidationError with a code), works in a transaction with the community (or
event) row locked, writes an audit entry and, where it shows, a feed item, and sends
its notifications after the commit (communities/notify/).
"""

from ..rules import ACTIONS
from .announcements import announcement_create
from .channels import (
    ChannelInput,
    channel_archive,
    channel_create,
    channel_mute_set,
    channel_update,
    default_channel_ensure,
    direct_channel_open,
    direct_messages_set,
)
from .chat_moderation import (
    member_mute,
    member_unmute,
    message_hide,
    message_moderate_delete,
    message_report,
    message_restore,
)
from .communities import (
    CommunityInput,
    community_admin_saved,
    community_approve,
    community_propose,
    community_refuse,
)
from .events import EventInput, event_cancel, event_create, event_update
from .invitations import invitation_accept, invitation_create, invitation_decline, invitation_revoke
from .membership import (
    membership_approve,
    membership_ban,
    membership_demote,
    membership_join,
    membership_leave,
    membership_promote,
    membership_refuse,
    membership_remove,
    membership_request,
    membership_unban,
    ownership_succession,
    ownership_transfer,
)
from .messages import (
    ChatRefused,
    SendResult,
    channel_read,
    message_delete,
    message_edit,
    message_send,
    reaction_toggle,
)
from .projects import project_attach, project_detach
from .rsvp import event_reminders_send, rsvp_set

__all__ = [
    "ACTIONS",
    "ChannelInput",
    "ChatRefused",
    "CommunityInput",
    "EventInput",
    "SendResult",
    "announcement_create",
    "channel_archive",
    "channel_create",
    "channel_mute_set",
    "channel_read",
    "channel_update",
    "community_admin_saved",
    "community_approve",
    "community_propose",
    "community_refuse",
    "default_channel_ensure",
    "direct_channel_open",
    "direct_messages_set",
    "event_cancel",
    "event_create",
    "event_reminders_send",
    "event_update",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_revoke",
    "member_mute",
    "member_unmute",
    "membership_approve",
    "membership_ban",
    "membership_demote",
    "membership_join",
    "membership_leave",
    "membership_promote",
    "membership_refuse",
    "membership_remove",
    "membership_request",
    "membership_unban",
    "message_delete",
    "message_edit",
    "message_hide",
    "message_moderate_delete",
    "message_report",
    "message_restore",
    "message_send",
    "ownership_succession",
    "ownership_transfer",
    "project_attach",
    "project_detach",
    "reaction_toggle",
    "rsvp_set",
]
