"""Public forms of the communities (one module per area): they validate what people
type and hand it to the services (communities/services/), which check the rules and
write. A refusal from a service (``ValidationError`` with ``error_dict`` keyed by
the forms' field names, or a single message) is put back on the form by
``add_service_error``."""

from ._common import MESSAGE_MAX, add_service_error
from .channels import *  # noqa: F403 (the channel pages' forms, issue 13: their __all__)
from .events import TIMEZONES, EventForm, RsvpForm
from .membership import (
    MEMBER_ACTIONS,
    AnnouncementForm,
    CharterForm,
    DecisionForm,
    DirectoryFilterForm,
    InviteForm,
    MemberActionForm,
    MessageForm,
    ProjectAttachForm,
    RequestForm,
)
from .proposals import ProposalForm

__all__ = [
    "MEMBER_ACTIONS",
    "MESSAGE_MAX",
    "TIMEZONES",
    "AnnouncementForm",
    "CharterForm",
    "DecisionForm",
    "DirectoryFilterForm",
    "EventForm",
    "InviteForm",
    "MemberActionForm",
    "MessageForm",
    "ProjectAttachForm",
    "ProposalForm",
    "RequestForm",
    "RsvpForm",
    "add_service_error",
]
