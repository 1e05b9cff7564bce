"""Projects in communities: a project's team attaches it to the communities they
belong to; the team or the community's moderators detach it."""

from __future__ import annotations

from django.db import transaction

from innovations.permissions import is_team_member

from .. import notify
from ..models import AuditAction, Community, CommunityProject, FeedKind
from ..permissions import can_moderate
from ._common import audit, check, clean_message, feed_add, lock


def project_attach(*, community: Community, project, user) -> CommunityProject:
    with transaction.atomic():
        community = lock(community)
        check("project_attach", community=community, actor=user, target=project)
        link = CommunityProject.objects.create(
            community=community, project=project, attached_by=user
        )
        feed_add(community=community, kind=FeedKind.PROJECT_ATTACHED, actor=user, project_link=link)
        audit(
            community=community,
            actor=user,
            action=AuditAction.PROJECT_ATTACHED,
            target_project=project,
        )
    return link


def project_detach(*, community: Community, project, actor, message: str = "") -> None:
    """Its feed item goes with the link; the team is told when a moderator did it."""
    with transaction.atomic():
        community = lock(community)
        check("project_detach", community=community, actor=actor, target=project)
        message = clean_message(message)
        CommunityProject.objects.filter(community=community, project=project).delete()
        audit(
            community=community,
            actor=actor,
            action=AuditAction.PROJECT_DETACHED,
            target_project=project,
            message=message,
        )
        if can_moderate(community=community, user=actor) and not is_team_member(project, actor):
            notify.project_detached(
                community=community, project=project, actor=actor, message=message
            )
