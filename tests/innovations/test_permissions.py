"""Permission matrix: (anonymous, other user, owner, co-editor, moderator, editor) ×
(view draft, view live, edit, submit, approve) — through pages people open, not
only through the permission function."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from innovations.models import ProjectMember
from innovations.permissions import project_permissions
from innovations.services.projects import project_create, project_submit
from search.indexing import reindex
from tests.factories import UserFactory, project_input

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other", "owner", "coeditor", "moderator", "editor"]
EXPECTED = {
    #             view_draft view_live edit  submit approve
    "anonymous": (False, True, False, False, False),
    "other": (False, True, False, False, False),
    "owner": (True, True, True, True, False),
    "coeditor": (True, True, True, True, False),
    "moderator": (True, True, True, True, True),
    "editor": (True, True, True, True, True),
}


@pytest.fixture
def cast(projects_index, owner, moderator, editor):
    coeditor = UserFactory(email="coeditrice@exemple.org")
    other = UserFactory(email="autre@exemple.org")
    draft = project_create(user=owner, data=project_input(title="Projet brouillon"))
    ProjectMember.objects.create(project=draft, user=coeditor)
    live = project_create(user=owner, data=project_input(title="Projet en ligne"))
    live.get_latest_revision().publish(user=editor)
    live.refresh_from_db()
    ProjectMember.objects.create(project=live, user=coeditor)
    users = {
        "anonymous": AnonymousUser(),
        "other": other,
        "owner": owner,
        "coeditor": coeditor,
        "moderator": moderator,
        "editor": editor,
    }
    return users, draft, live


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(cast, role):
    users, draft, live = cast
    user = users[role]
    draft_perms = project_permissions(project=draft, user=user)
    live_perms = project_permissions(project=live, user=user)
    view_draft, view_live, edit, submit, approve = EXPECTED[role]
    assert draft_perms.view_draft == view_draft
    assert live_perms.view_live == view_live
    assert draft_perms.edit == edit
    assert draft_perms.submit == submit
    assert draft_perms.approve == approve


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_matrix(client, cast, role):
    users, draft, live = cast
    view_draft, view_live, edit, submit, _approve = EXPECTED[role]
    if role != "anonymous":
        client.force_login(users[role])
    # The draft's public URL is a 404 for everyone: drafts are not served.
    assert client.get(draft.url).status_code == 404
    assert client.get(live.url).status_code == (200 if view_live else 404)
    preview = client.get(reverse("innovations:project_preview", args=[draft.pk]))
    assert preview.status_code == (200 if view_draft else (302 if role == "anonymous" else 404))
    edit_page = client.get(reverse("innovations:project_edit", args=[draft.pk]))
    assert edit_page.status_code == (200 if edit else (302 if role == "anonymous" else 404))
    submitted = client.post(reverse("innovations:project_submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert (draft.current_workflow_state is not None) == submit
    assert submitted.status_code in (302, 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_curators_can_approve_in_the_admin(client, cast, role):
    users, draft, _live = cast
    project_submit(project=draft, user=users["owner"])
    draft.refresh_from_db()
    if role != "anonymous":
        client.force_login(users[role])
    task_state = draft.current_workflow_state.current_task_state
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[draft.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    draft.refresh_from_db()
    assert draft.live == EXPECTED[role][4]


def test_drafts_never_appear_in_listing_or_sitemap(client, cast):
    _users, draft, live = cast
    reindex()  # the listing is a search (innovations/views/listing.py)
    listing = client.get("/projets/").content.decode()
    assert "Projet en ligne" in listing
    assert "Projet brouillon" not in listing
    sitemap = client.get("/sitemap.xml").content.decode()
    assert live.url in sitemap
    assert draft.url not in sitemap
