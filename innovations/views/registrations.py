"""What innovations shows on its own page types and on screens of the apps below it.

Registered with the registries those apps keep, so that the dependency points
upward from nowhere (issue 11): ``cms.page_views`` (the project listing, the project
page, the home page's latest projects) and ``accounts.profile_extensions`` (a
member's projects on their profile, territory and theme choices of the profile
form). ``connect()`` is called once, from ``InnovationsConfig.ready()``.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts import profile_extensions
from cms import page_views
from cms.models import HomePage

from ..models import ProjectIndexPage, ProjectPage
from ..selectors import (
    grouped_theme_choices,
    project_index_page,
    project_page_context,
    projects_latest,
    projects_live,
    projects_of_member_public,
    territory_choices_for_profile,
)
from ..selectors.replication import project_page_replication
from .listing import project_index

HOME_LATEST_PROJECTS = 6


def home_page_projects(page: HomePage, request: HttpRequest) -> dict:
    """The home page's « Derniers projets publiés » section."""
    return {
        "latest_projects": projects_latest(limit=HOME_LATEST_PROJECTS),
        "project_count": projects_live().count(),
        "projects_page": project_index_page(),
    }


def project_page(page: ProjectPage, request: HttpRequest) -> dict:
    context = project_page_context(project=page, request=request)
    context.update(
        project_page_replication(project=page, user=request.user, team=context["permissions"].edit)
    )
    return context


def serve_project_index(request: HttpRequest, page: ProjectIndexPage, *args, **kwargs):
    return project_index(request, index_page=page)


def profile_projects(*, user_id: int, viewer) -> dict:
    """Live projects a member owns or co-edits, on their public profile."""
    return {"projects": projects_of_member_public(user_id=user_id)}


def _home_territory_choices(field) -> None:
    field.queryset = territory_choices_for_profile()


def _interest_choices(field) -> None:
    field.queryset = field.queryset.select_related("domain")
    field.choices = grouped_theme_choices()


def connect() -> None:
    page_views.register_context(HomePage, home_page_projects)
    page_views.register_context(ProjectPage, project_page)
    page_views.register_view(ProjectIndexPage, serve_project_index)
    profile_extensions.register_profile_section("projets", profile_projects)
    profile_extensions.register_field_setup("home_territory", _home_territory_choices)
    profile_extensions.register_field_setup("interests", _interest_choices)
