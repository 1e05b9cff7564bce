"""Notifications about a community's projects and announcements."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from ..models import Community
from ..paths import community_path
from ._core import _french, community_scope, members_of, notify


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
        scope=community_scope(community),
    )
