"""Who may do what with a project. One place, used by views, services, search and
the API, and tested as a matrix (tests/innovations/test_permissions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

EDITORS_GROUP = "Éditeurs"
MODERATORS_GROUP = "Modérateurs"


class ProjectPermissionDenied(PermissionDenied):
    """The user may not perform this action on this project."""


def _group_names(user) -> set[str]:
    cached = getattr(user, "_carrefour_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._carrefour_groups = cached
    return cached


def is_curator(user) -> bool:
    """Editors and moderators (and superusers) curate every project."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(_group_names(user) & {EDITORS_GROUP, MODERATORS_GROUP})


def is_editor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or EDITORS_GROUP in _group_names(user)


def is_team_member(project, user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if project.owner_id == user.pk:
        return True
    return project.members.filter(user=user).exists()


@dataclass(frozen=True)
class ProjectPermissions:
    view_draft: bool
    view_live: bool
    edit: bool
    submit: bool
    approve: bool
    manage_team: bool
    claim: bool


def project_permissions(*, project, user) -> ProjectPermissions:
    curator = is_curator(user)
    team = is_team_member(project, user)
    owner = user.is_authenticated and project.owner_id == user.pk
    return ProjectPermissions(
        view_draft=team or curator,
        view_live=bool(project.live) or team or curator,
        edit=team or curator,
        submit=team or curator,
        approve=curator,
        manage_team=owner or curator,
        claim=user.is_authenticated and project.owner_id is None and project.live and not team,
    )
