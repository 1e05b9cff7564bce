"""Editors follow background jobs in the admin, in a real browser (issue 15): the
progress of a running job moves on the page without a reload (and without a timed
refresh, WCAG 2.2.1), its end shows the report; a re-indexing started from the
list ends with its figures. axe-core on the list and on a running job."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobStatus
from tests.e2e.community_pages import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def visit(page, axe) -> Visit:
    page.set_viewport_size({"width": 1280, "height": 800})
    return Visit(page, axe)


def test_an_editor_follows_a_job_live_and_starts_a_reindexing(visit, editor, password, site_pages):
    page = visit.page
    job = Job.objects.create(
        kind="import",
        label="Import « Réseau des tiers-lieux »",
        status=JobStatus.RUNNING,
        total=200,
        read=20,
        created=20,
    )
    visit.login(editor, password)
    visit(f"/admin/taches/{job.pk}/", context="tâche en cours")
    assert (
        page.get_by_role("status").filter(has_text="sur 200 lus").inner_text() == "20 sur 200 lus"
    )
    page.evaluate("() => { window.sameDocument = true; }")

    # The worker writes its progress: the page follows without reloading.
    Job.objects.filter(pk=job.pk).update(read=120, created=100, updated=20)
    page.get_by_role("status").filter(has_text="120 sur 200 lus").wait_for(timeout=10_000)
    assert page.evaluate("() => window.sameDocument === true")
    # The job ends: its message and report replace the progress, once.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        read=200,
        created=180,
        message="Import terminé : 180 créés, 20 mis à jour.",
        report={"créés": 180, "mis à jour": 20},
    )
    page.get_by_text("Import terminé : 180 créés, 20 mis à jour.").wait_for(timeout=10_000)
    assert page.evaluate("() => window.sameDocument === true")
    assert page.get_by_role("heading", name="Rapport").is_visible()
    assert page.get_by_role("button", name="Annuler la tâche").count() == 0

    # From the list, a full re-indexing (run at once here: no worker in the tests).
    visit("/admin/taches/", context="liste des tâches")
    page.get_by_role("button", name="Réindexation complète").click()
    page.wait_for_url("**/admin/taches/*/")
    assert "documents indexés" in page.content()
    visit.check("réindexation terminée")
