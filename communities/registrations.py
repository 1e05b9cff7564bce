"""What communities show on pages other apps own, through the registries those apps
keep (the dependency points upward from nowhere, as innovations/views/registrations.py
does): the « Communautés » and « S'en inspirer » sections of a project page
(``cms.page_views``).
``connect()`` is called once, from ``CommunitiesConfig.ready()``."""

from __future__ import annotations

from django.http import HttpRequest

from cms import page_views
from innovations.models import ProjectPage

from .selectors import inspire_box, project_communities


def project_page_communities(page: ProjectPage, request: HttpRequest) -> dict:
    """The communities the project is attached to that the viewer may see
    (templates/communities/_project_communities.html)."""
    return {"project_communities": list(project_communities(project=page, viewer=request.user))}


def project_page_inspire(page: ProjectPage, request: HttpRequest) -> dict:
    """The « S'en inspirer » box (templates/communities/includes/inspire_box.html):
    one query. For an anonymous visitor it depends on the project alone — the
    anonymous page is cached for everyone — and the team's pause changes it (saving
    a ``ReplicationSheet`` must move the page cache's generation)."""
    return {"inspire": inspire_box(project=page, user=request.user)}


def connect() -> None:
    page_views.register_context(ProjectPage, project_page_communities)
    page_views.register_context(ProjectPage, project_page_inspire)
