"""The projects section of the site tree, created once by setup_carrefour."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site, Workflow, WorkflowPage

from cms.models import SiteShellSettings

from ..models import ProjectIndexPage

WORKFLOW_NAME = "Modération des projets"


def project_index_ensure(*, home: Page) -> ProjectIndexPage:
    """/projets/ under the home page, moderated by the projects workflow, linked from
    the main navigation. Idempotent."""
    with transaction.atomic():
        index = ProjectIndexPage.objects.first()
        if index is None:
            index = ProjectIndexPage(
                title="Projets",
                slug="projets",
                intro=(
                    "Les projets socialement innovants repérés par les partenaires du "
                    "Carrefour et proposés par leurs porteurs."
                ),
            )
            home.add_child(instance=index)
            index.save_revision().publish()
        workflow = Workflow.objects.filter(name=WORKFLOW_NAME, active=True).first()
        if workflow is not None:
            WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
        site = Site.objects.filter(is_default_site=True).first()
        if site is not None:
            shell = SiteShellSettings.for_site(site)
            if shell.projects_page_id is None:
                shell.projects_page = index
                shell.save()
    return index
