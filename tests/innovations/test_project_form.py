"""The public « Proposer un projet » form: every rule gives a French message next
to its field, nothing is half-saved, and what was typed is kept."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from innovations.models import ProjectPage, Theme
from innovations.selectors import project_status

pytestmark = pytest.mark.django_db


def _data(**overrides):
    theme = Theme.objects.get(code="numerique.inclusion-numerique")
    data = {
        "projet-title": "Les Ateliers numériques du Limousin",
        "projet-summary": "Des ateliers gratuits pour apprendre les démarches en ligne.",
        "projet-description": (
            "## Notre démarche\n\nDes ateliers chaque mardi.\n\nEt un jeudi sur deux."
        ),
        "projet-themes": [str(theme.pk)],
        "projet-legal_status": "association",
        "projet-siret": "",
        "projet-website": "",
        "projet-contact_email": "",
        "projet-tags": "ateliers, démarches en ligne",
        "projet-links": "",
        "lieux-TOTAL_FORMS": "3",
        "lieux-INITIAL_FORMS": "0",
        "lieux-MIN_NUM_FORMS": "0",
        "lieux-MAX_NUM_FORMS": "10",
        "lieux-0-territory": "Guéret (23)",
        "lieux-0-address": "",
        "lieux-0-latitude": "",
        "lieux-0-longitude": "",
        "lieux-1-territory": "",
        "lieux-2-territory": "",
        "chiffres-TOTAL_FORMS": "1",
        "chiffres-INITIAL_FORMS": "0",
        "chiffres-MIN_NUM_FORMS": "0",
        "chiffres-MAX_NUM_FORMS": "6",
        "chiffres-0-figure": "120",
        "chiffres-0-label": "personnes accompagnées",
    }
    data.update(overrides)
    return data


def _post(client, **overrides):
    return client.post(reverse("innovations:project_create"), _data(**overrides))


def test_proposing_creates_a_draft_with_everything_typed(client, projects_index, owner):
    client.force_login(owner)
    response = _post(client, submit="")
    assert response.status_code == 302
    project = ProjectPage.objects.get(title="Les Ateliers numériques du Limousin")
    assert project.owner == owner
    assert not project.live
    assert project_status(project=project).code == "moderation"
    draft = project.get_latest_revision_as_object()
    assert [b.block_type for b in draft.body] == [
        "heading",
        "paragraph",
        "paragraph",
        "key_figures",
    ]
    assert draft.locations.first().territory.code == "23096"
    assert sorted(t.name for t in draft.tags.all()) == ["ateliers", "démarches en ligne"]


def test_propose_page_needs_login(client, projects_index):
    response = client.get(reverse("innovations:project_create"))
    assert response.status_code == 302
    assert "/compte/login/" in response.url


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"projet-summary": "x" * 301}, "au plus 300 caractères"),
        ({"projet-siret": "12345678901234"}, "clé de contrôle incorrecte"),
        ({"projet-siret": "1234"}, "Un SIRET compte 14 chiffres."),
        ({"projet-website": "pas une adresse"}, "Saisissez une URL valide."),
        ({"projet-contact_email": "contact@"}, "Saisissez une adresse de courriel valide."),
        ({"projet-links": "http://"}, "n&#x27;est pas une adresse web valide"),
        ({"lieux-0-territory": "Atlantide"}, "Territoire inconnu"),
        ({"lieux-0-territory": "Valence"}, "Plusieurs territoires correspondent"),
        (
            {"lieux-0-latitude": "40.71", "lieux-0-longitude": "-74.00"},
            "Ces coordonnées sont en dehors de la France.",
        ),
        ({"lieux-0-latitude": "45.1"}, "Indiquez la latitude et la longitude"),
        ({"lieux-0-territory": ""}, "Indiquez au moins un lieu"),
        ({"projet-themes": []}, "Champ requis."),
        ({"chiffres-0-label": ""}, "Indiquez le chiffre et ce qu&#x27;il mesure."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, projects_index, owner, overrides, message
):
    client.force_login(owner)
    before = ProjectPage.objects.count()
    response = _post(client, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "error-summary" in html
    assert "<title>Erreur : " in html
    assert ProjectPage.objects.count() == before
    # What was typed is still there.
    assert 'value="Les Ateliers numériques du Limousin"' in html


def _image(fmt="PNG", size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(out, format=fmt)
    return out.getvalue()


def test_an_image_that_is_not_an_image_is_refused(client, projects_index, owner):
    client.force_login(owner)
    data = _data()
    data["projet-image"] = SimpleUploadedFile("photo.jpg", b"GIF89a but not really", "image/jpeg")
    response = client.post(reverse("innovations:project_create"), data)
    assert response.status_code == 200
    assert "pas une image valide" in response.content.decode()
    assert not ProjectPage.objects.filter(title="Les Ateliers numériques du Limousin").exists()


def test_a_too_large_image_is_refused(client, projects_index, owner, monkeypatch):
    from innovations.services import projects

    monkeypatch.setattr(projects, "PROJECT_IMAGE_MAX_BYTES", 1000)
    client.force_login(owner)
    data = _data()
    data["projet-image"] = SimpleUploadedFile("photo.png", _image(), "image/png")
    response = client.post(reverse("innovations:project_create"), data)
    assert "trop lourde" in response.content.decode()
    assert not ProjectPage.objects.filter(title="Les Ateliers numériques du Limousin").exists()


def test_a_valid_image_becomes_the_main_image(client, projects_index, owner):
    client.force_login(owner)
    data = _data()
    data["projet-image"] = SimpleUploadedFile("photo.png", _image(), "image/png")
    data["projet-image_alt"] = "Des habitants autour d'un ordinateur"
    assert client.post(reverse("innovations:project_create"), data).status_code == 302
    draft = ProjectPage.objects.get(title="Les Ateliers numériques du Limousin")
    image = draft.get_latest_revision_as_object().main_image
    assert image.file.name.endswith(".webp")
    assert image.description == "Des habitants autour d'un ordinateur"


def test_the_edit_form_shows_the_latest_revision(client, projects_index, owner):
    client.force_login(owner)
    _post(client)
    project = ProjectPage.objects.get(title="Les Ateliers numériques du Limousin")
    html = client.get(reverse("innovations:project_edit", args=[project.pk])).content.decode()
    assert "## Notre démarche" in html
    assert 'value="Guéret (23)"' in html
    assert 'value="120"' in html
