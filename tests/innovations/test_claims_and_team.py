"""Claiming an unowned project; inviting co-editors; what happens to projects when
their owner deletes the account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.services import account_delete
from innovations.models import ClaimStatus, ProjectClaim, ProjectMember
from innovations.permissions import project_permissions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_claims_an_unowned_project_and_an_editor_accepts(
    client, make_project, other_user, editor, django_capture_on_commit_callbacks
):
    project = make_project(owner=None, title="Recyclerie importée")
    assert project_permissions(project=project, user=other_user).claim
    client.force_login(other_user)
    page = client.get(project.url).content.decode()
    assert "le revendiquer" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("innovations:project_claim", args=[project.pk]),
            {"message": "Je suis la coordinatrice de la recyclerie depuis 2020."},
        )
    assert response.status_code == 302
    claim = ProjectClaim.objects.get(project=project)
    assert claim.status == ClaimStatus.PENDING
    assert any(editor.email in m.to for m in mail.outbox)  # editors are told

    client.force_login(editor)
    listing = client.get(reverse("innovations_claims:index")).content.decode()
    assert "Recyclerie importée" in listing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("innovations_claims:decide", args=[claim.pk, "accepter"]), {"note": ""})
    project.refresh_from_db()
    assert project.owner == other_user
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED
    assert any(other_user.email in m.to and "porteur" in m.subject for m in mail.outbox)
    client.force_login(other_user)
    assert "Recyclerie importée" in client.get(reverse("innovations:my_projects")).content.decode()


def test_an_editor_can_refuse_a_claim_with_a_reason(client, make_project, other_user, editor):
    project = make_project(owner=None)
    claim = ProjectClaim.objects.create(project=project, user=other_user, message="C'est moi.")
    client.force_login(editor)
    client.post(
        reverse("innovations_claims:decide", args=[claim.pk, "refuser"]),
        {"note": "Nous n'avons pas pu vérifier."},
    )
    claim.refresh_from_db()
    project.refresh_from_db()
    assert claim.status == ClaimStatus.REFUSED
    assert claim.decision_note == "Nous n'avons pas pu vérifier."
    assert project.owner is None


def test_owned_projects_cannot_be_claimed_and_moderators_cannot_decide(
    client, make_project, owner, other_user, moderator
):
    owned = make_project(owner=owner)
    client.force_login(other_user)
    assert "le revendiquer" not in client.get(owned.url).content.decode()
    response = client.post(
        reverse("innovations:project_claim", args=[owned.pk]), {"message": "À moi !"}
    )
    assert response.status_code == 200
    assert not ProjectClaim.objects.exists()
    client.force_login(moderator)
    assert client.get(reverse("innovations_claims:index")).status_code in (302, 403)


def test_owner_invites_a_coeditor_who_accepts_and_can_edit(
    client, make_project, owner, django_capture_on_commit_callbacks
):
    project = make_project(owner=owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("innovations:project_team", args=[project.pk]), {"email": "Lea@Exemple.org"}
        )
    invitation_mail = mail.outbox[-1]
    assert invitation_mail.to == ["lea@exemple.org"]
    link = re.search(r"https?://[^\s]+(/invitations/[^\s]+)", invitation_mail.body).group(1)

    stranger = UserFactory(email="intrus@exemple.org")
    client.force_login(stranger)
    refused = client.post(link)
    assert "connectez-vous avec ce compte" in refused.content.decode()
    assert not ProjectMember.objects.exists()

    lea = UserFactory(email="lea@exemple.org")
    client.force_login(lea)
    assert client.post(link).status_code == 302
    assert ProjectMember.objects.filter(project=project, user=lea).exists()
    assert client.get(reverse("innovations:project_edit", args=[project.pk])).status_code == 200
    assert client.post(link).status_code == 200  # an invitation serves once


def test_deleting_the_owner_passes_the_project_to_the_earliest_coeditor(make_project, owner):
    project = make_project(owner=owner)
    first = UserFactory(email="premiere@exemple.org")
    second = UserFactory(email="second@exemple.org")
    ProjectMember.objects.create(project=project, user=first)
    ProjectMember.objects.create(project=project, user=second)
    account_delete(user=owner)
    project.refresh_from_db()
    assert project.live
    assert project.owner == first
    assert list(project.members.values_list("user", flat=True)) == [second.pk]


def test_deleting_the_only_owner_makes_the_project_claimable(make_project, owner, other_user):
    project = make_project(owner=owner)
    account_delete(user=owner)
    project.refresh_from_db()
    assert project.live and project.owner is None
    assert project_permissions(project=project, user=other_user).claim


def test_personal_data_export_lists_projects(client, make_project, owner):
    make_project(owner=owner, title="Mon projet à moi")
    client.force_login(owner)
    data = client.get(reverse("accounts:data_export")).json()
    assert [p["title"] for p in data["projets"]["porteur"]] == ["Mon projet à moi"]
