"""Who may do what in a community: one check per action, and the ``ACTIONS`` table.

Every check has the signature ``check(community, actor, target, **options)`` and
either returns (allowed) or raises:

- ``CommunityPermissionDenied`` (a ``PermissionDenied``) when the actor's role does
  not allow the action;
- ``ValidationError`` with a French message and a ``code`` when a rule forbids it
  (``banned``, ``already_member``, ``expired``, ``wrong_email``, ``last_owner``…).

The services call the check first, inside their transaction once the community row
is locked, so the state it reads cannot change before the write. The
permission-matrix test (tests/communities/test_permission_matrix.py) is generated
from ``ACTIONS``: a new action without its line in the matrix fails the test.

``target`` depends on the action: a user (membership actions), an e-mail address
(``invitation_create``), an invitation, a project, an event, or None.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from ..permissions import CommunityPermissionDenied
from .conditions import is_last_owner
from .content import (
    check_announcement_create,
    check_community_approve,
    check_community_propose,
    check_community_refuse,
    check_event_cancel,
    check_event_create,
    check_event_update,
    check_project_attach,
    check_project_detach,
    check_rsvp_set,
    proposals_open,
)
from .invitations import (
    check_invitation_accept,
    check_invitation_create,
    check_invitation_decline,
    check_invitation_revoke,
    users_with_email,
)
from .membership import (
    check_membership_approve,
    check_membership_ban,
    check_membership_demote,
    check_membership_join,
    check_membership_leave,
    check_membership_promote,
    check_membership_refuse,
    check_membership_remove,
    check_membership_request,
    check_membership_unban,
    check_ownership_transfer,
)

Check = Callable[..., None]

ACTIONS: dict[str, Check] = {
    "membership_request": check_membership_request,
    "membership_join": check_membership_join,
    "membership_leave": check_membership_leave,
    "membership_approve": check_membership_approve,
    "membership_refuse": check_membership_refuse,
    "invitation_create": check_invitation_create,
    "invitation_accept": check_invitation_accept,
    "invitation_decline": check_invitation_decline,
    "invitation_revoke": check_invitation_revoke,
    "membership_promote": check_membership_promote,
    "membership_demote": check_membership_demote,
    "ownership_transfer": check_ownership_transfer,
    "membership_remove": check_membership_remove,
    "membership_ban": check_membership_ban,
    "membership_unban": check_membership_unban,
    "project_attach": check_project_attach,
    "project_detach": check_project_detach,
    "event_create": check_event_create,
    "event_update": check_event_update,
    "event_cancel": check_event_cancel,
    "rsvp_set": check_rsvp_set,
    "announcement_create": check_announcement_create,
    "community_propose": check_community_propose,
    "community_approve": check_community_approve,
    "community_refuse": check_community_refuse,
}


def allowed(action: str, *, community, actor, target=None, **options) -> bool:
    """Whether ``actor`` may do ``action`` now: for the pages' buttons."""
    try:
        ACTIONS[action](community, actor, target, **options)
    except (CommunityPermissionDenied, ValidationError):
        return False
    return True


__all__ = ["ACTIONS", "Check", "allowed", "is_last_owner", "proposals_open", "users_with_email"]
