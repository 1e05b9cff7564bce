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


# --- layout: themes by domain, one place at a time, coordinates folded ------------------


def _form_html(client) -> str:
    return client.get(reverse("innovations:project_create")).content.decode()


def test_themes_are_grouped_by_domain_in_folded_fieldsets(client, projects_index, owner):
    from innovations.models import ThemeDomain

    client.force_login(owner)
    html = _form_html(client)
    domains = ThemeDomain.objects.count()
    assert domains > 1
    # One disclosure per domain, each holding a fieldset whose legend names the domain;
    # none open on an empty form.
    assert html.count('<details class="checkbox-group">') == domains
    assert html.count('<details class="checkbox-group" open>') == 0
    domain = ThemeDomain.objects.order_by("sort_order", "label").first()
    assert f'<legend class="visually-hidden">{domain.label}</legend>' in html


def test_the_domain_of_a_checked_theme_is_open(client, projects_index, owner):
    client.force_login(owner)
    # A refused form (no place) shows what was ticked, its domain unfolded.
    response = _post(client, **{"lieux-0-territory": ""})
    html = response.content.decode()
    assert html.count('<details class="checkbox-group" open>') == 1
    assert "1 choisi" in html


def test_the_form_starts_with_one_place_and_folded_coordinates(client, projects_index, owner):
    client.force_login(owner)
    html = _form_html(client)
    assert 'name="lieux-TOTAL_FORMS" value="1"' in html
    assert 'name="lieux-0-territory"' in html and 'name="lieux-1-territory"' not in html
    assert '<details class="form-advanced">' in html
    assert "Coordonnées précises (facultatif)" in html
    assert 'name="ajouter-lieu"' in html and "Ajouter un lieu" in html


def test_adding_a_place_shows_the_form_again_as_typed_with_one_more_place(
    client, projects_index, owner
):
    client.force_login(owner)
    before = ProjectPage.objects.count()
    data = _data(**{"lieux-TOTAL_FORMS": "1", "projet-summary": "", "ajouter-lieu": "1"})
    for key in ("lieux-1-territory", "lieux-2-territory"):
        del data[key]
    response = client.post(reverse("innovations:project_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert ProjectPage.objects.count() == before  # nothing saved
    # Two place blocks, the first as typed; the rest of the form as typed too, and no
    # error for the summary left empty: the form is not finished, not wrong.
    assert 'name="lieux-TOTAL_FORMS" value="2"' in html
    assert 'value="Guéret (23)"' in html and 'name="lieux-1-territory"' in html
    assert 'value="Les Ateliers numériques du Limousin"' in html
    assert 'value="120"' in html
    assert "checked" in html
    assert "error-summary" not in html and "<title>Erreur" not in html
    assert 'formaction="#lieu-3"' in html
    # The second place filled, the project is proposed with both.
    data = _data(
        **{
            "lieux-TOTAL_FORMS": "2",
            "lieux-1-territory": "Creuse",
            "lieux-1-address": "",
            "lieux-1-latitude": "",
            "lieux-1-longitude": "",
        }
    )
    del data["lieux-2-territory"]
    assert client.post(reverse("innovations:project_create"), data).status_code == 302
    draft = ProjectPage.objects.get(title="Les Ateliers numériques du Limousin")
    places = [loc.territory.name for loc in draft.get_latest_revision_as_object().locations.all()]
    assert sorted(places) == ["Creuse", "Guéret"]


def test_coordinates_typed_or_refused_are_shown_unfolded(client, projects_index, owner):
    client.force_login(owner)
    html = _post(client, **{"lieux-0-latitude": "45.1"}).content.decode()
    assert "Indiquez la latitude et la longitude" in html
    assert '<details class="form-advanced" open>' in html
