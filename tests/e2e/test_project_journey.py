"""Innovators and curators in a real browser: propose a project, moderate it in the
Wagtail admin, see it published, edit it (the live version stays until approval),
claim an unowned project."""

from __future__ import annotations

import pytest

from innovations.models import ProjectPage
from innovations.selectors import project_status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, email, password):
    page.goto("/compte/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()


def _logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()


def _approve_in_admin(page, project):
    page.goto(f"/admin/pages/{project.pk}/edit/")
    page.get_by_role("button", name="Plus d'actions").first.click()
    page.get_by_role("button", name="Approuver et Publier", exact=True).click()
    page.wait_for_load_state()


def test_propose_moderate_publish_then_edit(page, projects_index, owner, moderator, password):
    _login(page, owner.email, password)
    page.goto("/mon-espace/projets/")
    page.get_by_role("link", name="Proposer un projet").first.click()
    page.get_by_label("Nom du projet").fill("La Fabrique à vélos de Guéret")
    page.get_by_label("Résumé").fill(
        "Un atelier participatif où chacun apprend à réparer son vélo."
    )
    # Themes are grouped by domain in collapsed disclosures: open « Mobilité » first.
    page.locator("details.checkbox-group > summary", has_text="Mobilité").click()
    page.get_by_label("Mobilité en milieu rural").check()
    page.get_by_label("Description", exact=True).fill("Ouvert trois soirs par semaine.")
    # The commune field is an accessible autocomplete once JavaScript runs.
    commune = page.get_by_label("Commune, département ou région").first
    commune.fill("Guér")
    page.get_by_role("option", name="Guéret (23)").click()
    page.get_by_role("button", name="Enregistrer et envoyer en modération").click()
    page.wait_for_url("**/mon-espace/projets/")
    row = page.get_by_role("row", name="La Fabrique à vélos de Guéret")
    assert "En modération" in row.inner_text()
    project = ProjectPage.objects.get(title="La Fabrique à vélos de Guéret")
    assert not project.live
    _logout(page)

    _login(page, moderator.email, password)
    _approve_in_admin(page, project)
    project.refresh_from_db()
    assert project.live
    page.goto("/projets/")
    assert page.get_by_role("link", name="La Fabrique à vélos de Guéret").is_visible()

    page.context.clear_cookies()
    _login(page, owner.email, password)
    page.goto(f"/mon-espace/projets/{project.pk}/modifier/")
    page.get_by_label("Nom du projet").fill("La Fabrique à vélos (nouvelle formule)")
    page.get_by_role("button", name="Enregistrer et envoyer en modération").click()
    page.wait_for_url("**/mon-espace/projets/")
    assert "Modifications en modération" in page.content()
    page.goto(project.url)
    assert page.get_by_role("heading", level=1).inner_text() == "La Fabrique à vélos de Guéret"
    project.refresh_from_db()
    assert project_status(project=project).code == "moderation"


def test_claim_an_unowned_project_and_an_editor_accepts(
    page, make_project, other_user, editor, password
):
    project = make_project(owner=None, title="Repair café de Mende")
    _login(page, other_user.email, password)
    page.goto(project.url)
    page.get_by_role("link", name="C'est mon projet : le revendiquer").click()
    page.get_by_label("Votre lien avec ce projet").fill("Je coordonne ce repair café depuis 2019.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert page.get_by_text("Demande envoyée").is_visible()
    page.context.clear_cookies()

    _login(page, editor.email, password)
    page.goto("/admin/revendications/")
    page.get_by_role("button", name="Accepter").click()
    page.wait_for_load_state()
    project.refresh_from_db()
    assert project.owner == other_user
