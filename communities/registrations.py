"""What communities show on pages other apps own, through the registries those apps
keep (the dependency points upward from nowhere, as innovations/views/registrations.py
does): the « Communautés » section of a project page (``cms.page_views``).
``connect()`` is called once, from ``CommunitiesConfig.ready()``."""

from __future__ import annotations

from django.http import HttpRequest

from cms import page_views
from innovations.models import ProjectPage

from .selectors import project_communities


def project_page_communities(page: ProjectPage, request: HttpRequest) -> dict:
    """The communities the project is attached to that the viewer may see
    (templates/communities/_project_communities.html)."""
    return {"project_communities": list(project_communities(project=page, viewer=request.user))}


def connect() -> None:
    page_views.register_context(ProjectPage, project_page_communities)
