"""Propose → moderate → publish, and edits of live projects, through the same
services and admin screens people use."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from innovations.models import ProjectPage
from innovations.selectors import project_status
from innovations.services.projects import project_create, project_submit, project_update
from tests.factories import project_input

pytestmark = pytest.mark.django_db


def _admin_action(client, project, action, comment=""):
    project.refresh_from_db()
    state = project.current_workflow_state
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[project.pk, action, state.current_task_state.pk],
    )
    return client.post(url, {"comment": comment})


def test_a_proposed_project_is_a_draft_that_nobody_else_sees(client, projects_index, owner):
    project = project_create(user=owner, data=project_input())
    assert not project.live
    assert project.owner == owner
    assert project_status(project=project).code == "brouillon"
    assert client.get(project.url).status_code == 404


def test_submitting_puts_the_project_in_moderation_and_alerts_moderators(
    projects_index, owner, moderator
):
    project = project_create(user=owner, data=project_input(), submit=True)
    status = project_status(project=project)
    assert status.code == "moderation"
    assert status.label == "En modération"
    assert any(moderator.email in m.to for m in mail.outbox)


def test_moderator_approval_in_the_admin_publishes_and_emails_the_owner_in_french(
    client, projects_index, owner, moderator, django_capture_on_commit_callbacks
):
    project = project_create(user=owner, data=project_input(), submit=True)
    mail.outbox.clear()
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_action(client, project, "approve")
    assert response.status_code in (200, 302)
    project.refresh_from_db()
    assert project.live
    assert project_status(project=project).code == "publie"
    client.logout()
    assert client.get(project.url).status_code == 200
    assert project.title in client.get(projects_index.url).content.decode()
    messages = [m for m in mail.outbox if owner.email in m.to]
    assert len(messages) == 1
    assert "est publié" in messages[0].subject
    assert project.url in messages[0].body
    assert "/admin/" not in messages[0].body


def test_sending_back_shows_the_comment_to_the_owner(
    client, projects_index, owner, moderator, django_capture_on_commit_callbacks
):
    project = project_create(user=owner, data=project_input(), submit=True)
    mail.outbox.clear()
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        _admin_action(client, project, "reject", comment="Précisez les publics accompagnés.")
    project.refresh_from_db()
    status = project_status(project=project)
    assert status.code == "a-revoir"
    assert status.comment == "Précisez les publics accompagnés."
    assert not project.live
    owner_mail = [m for m in mail.outbox if owner.email in m.to]
    assert owner_mail and "Précisez les publics accompagnés." in owner_mail[0].body
    client.force_login(owner)
    page = client.get(reverse("innovations:my_projects")).content.decode()
    assert "À revoir" in page
    assert "Précisez les publics accompagnés." in page
    # Resubmitting after changes puts it back in moderation.
    project_update(project=project, user=owner, data=project_input(summary="Nouveau résumé."))
    project_submit(project=ProjectPage.objects.get(pk=project.pk), user=owner)
    assert project_status(project=ProjectPage.objects.get(pk=project.pk)).code == "moderation"


def test_editing_a_live_project_keeps_the_live_version_until_approval(
    client, projects_index, owner, moderator
):
    project = project_create(user=owner, data=project_input(), submit=True)
    client.force_login(moderator)
    _admin_action(client, project, "approve")
    project.refresh_from_db()
    revisions_before = project.revisions.count()

    project_update(
        project=project,
        user=owner,
        data=project_input(title="Le Bus numérique (nouveau nom)"),
        submit=True,
    )
    project.refresh_from_db()
    assert project.revisions.count() == revisions_before + 1
    assert project.title == "Le Bus numérique de la Creuse"  # live row unchanged
    assert project_status(project=project).label == "Modifications en modération"
    client.logout()
    live_html = client.get(project.url).content.decode()
    assert "Le Bus numérique de la Creuse" in live_html
    assert "nouveau nom" not in live_html

    client.force_login(moderator)
    _admin_action(client, project, "approve")
    client.logout()
    assert "nouveau nom" in client.get(project.url).content.decode()


def test_an_edit_during_moderation_restarts_the_review_on_the_new_version(projects_index, owner):
    project = project_create(user=owner, data=project_input(), submit=True)
    first_task = project.current_workflow_state.current_task_state
    project_update(project=project, user=owner, data=project_input(summary="Résumé corrigé."))
    project.refresh_from_db()
    state = project.current_workflow_state
    assert state.current_task_state.pk != first_task.pk
    assert state.current_task_state.revision_id == project.latest_revision_id


def test_owner_sees_the_revision_history(client, projects_index, owner):
    project = project_create(user=owner, data=project_input())
    project_update(project=project, user=owner, data=project_input(summary="Deuxième version."))
    client.force_login(owner)
    response = client.get(reverse("innovations:project_history", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr>") == 3  # header + two revisions
    assert "Dernière version" in html


def test_preview_shows_the_latest_revision_to_the_team_only(
    client, projects_index, owner, other_user
):
    project = project_create(user=owner, data=project_input(summary="Résumé du brouillon."))
    url = reverse("innovations:project_preview", args=[project.pk])
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert "Résumé du brouillon." in response.content.decode()
    assert "Aperçu" in response.content.decode()
