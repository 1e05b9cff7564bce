"""In English (the language switcher's cookie), the taxonomy, the choice lists and the
facets are in English: project page, listing, search page and search API."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from innovations.models import Public, Theme, ThemeDomain
from search.indexing import reindex

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def project(make_project):
    project = make_project(title="Le Bus numérique de la Creuse", sdgs=[1, 4])
    reindex()
    return project


def test_the_default_taxonomy_has_english_labels():
    # Seeded by the data migration from innovations/data/taxonomy.json.
    for model in (ThemeDomain, Theme, Public):
        assert not model.objects.filter(label_en="").exists(), model
    theme = Theme.objects.get(code="numerique.inclusion-numerique")
    assert theme.label_fr == "Inclusion numérique"
    assert theme.label_en == "Digital inclusion"


def test_a_label_follows_the_language_and_queries_stay_french():
    theme = Theme.objects.get(code="numerique.inclusion-numerique")
    with translation.override("fr"):
        assert theme.label == str(theme) == "Inclusion numérique"
    with translation.override("en"):
        assert theme.label == str(theme) == "Digital inclusion"
        # The database column is the French label, whatever the language.
        assert Theme.objects.filter(label="Inclusion numérique").get() == theme
        assert dict(Theme.objects.filter(pk=theme.pk).values_list("code", "label")) == {
            theme.code: "Inclusion numérique"
        }
    # No English label: the French one.
    theme.label_en = ""
    with translation.override("en"):
        assert theme.label == "Inclusion numérique"
    # Setting the label sets the French one.
    theme.label = "Inclusion par le numérique"
    assert theme.label_fr == "Inclusion par le numérique"


def test_the_project_page_is_in_english(english, project):
    html = english.get(project.url).content.decode()
    assert '<html lang="en">' in html
    # Domain, then sub-theme, each linking to its page.
    assert (
        '>Digital</a> \u203a <a href="/themes/numerique-inclusion-numerique/">Digital inclusion'
        in html
    )
    assert "Inclusion numérique" not in html
    assert "Rural residents" in html  # publics
    assert "Consolidation" in html and "Department" in html  # stage, scale
    assert "No poverty" in html and "Quality education" in html  # SDGs
    assert "Association" in html  # legal status


def test_the_listing_is_in_english(english, project, projects_index):
    html = english.get(projects_index.url).content.decode()
    assert re.search(r"<option value=\"numerique\"[^>]*>Digital \(1\)</option>", html)
    assert '<span class="tag">Digital inclusion</span>' in html


def test_search_facets_are_in_english(english, project):
    page = english.get("/recherche/").content.decode()
    values = re.findall(
        r'<input type="checkbox" name="(\w+)" value="([^"]+)"[^>]*> ([^<]+) '
        r'<span class="facet__count">',
        page,
    )
    labels = {(param, value): label for param, value, label in values}
    assert labels[("type", "project")] == "Project"  # not « Projet »
    assert labels[("domaine", "numerique")] == "Digital"
    assert labels[("theme", "numerique.inclusion-numerique")] == "Digital inclusion"
    assert labels[("public", "ruraux")] == "Rural residents"
    assert labels[("echelle", "departement")] == "Department"
    facets = english.get("/api/v1/search").json()["facets"]
    labels = {facet: {v["value"]: v["label"] for v in values} for facet, values in facets.items()}
    assert labels["kind"]["project"] == "Project"
    assert labels["domain"]["numerique"] == "Digital"
    assert labels["theme"]["numerique.inclusion-numerique"] == "Digital inclusion"
    assert labels["public"]["ruraux"] == "Rural residents"
    assert labels["stage"]["consolidation"] == "Consolidation"
    assert labels["scale"]["departement"] == "Department"
    assert labels["structure"]["association"] == "Association"
    # French by default, from the same index.
    french = {
        facet: {v["value"]: v["label"] for v in values}
        for facet, values in Client().get("/api/v1/search").json()["facets"].items()
    }
    assert french["kind"]["project"] == "Projet"
    assert french["domain"]["numerique"] == "Numérique"
    assert french["scale"]["departement"] == "Département"


def test_result_cards_show_theme_labels_in_english(english, project):
    page = english.get("/recherche/", {"q": "bus"}).content.decode()
    tags = re.findall(r'<span class="tag">([^<]+)</span>', page)
    assert "Digital inclusion" in tags and "Digital" in tags
    assert "Inclusion numérique" not in tags
    french = Client().get("/recherche/", {"q": "bus"}).content.decode()
    assert "Inclusion numérique" in re.findall(r'<span class="tag">([^<]+)</span>', french)


def test_the_api_gives_english_labels_in_english(english, project):
    data = english.get(f"/api/v1/projects/{project.pk}").json()
    assert {"code": "ruraux", "label": "Rural residents"} in data["publics"]
    assert data["themes"][0]["label"] == "Digital inclusion"
    assert data["themes"][0]["domain_label"] == "Digital"


def test_the_search_index_stays_french_when_an_english_request_saves(client, project):
    # An editor whose admin is in English publishes: the index keeps the French labels
    # (search results show what the index holds).
    with translation.override("en"):
        reindex()
    [result] = client.get("/api/v1/search", {"q": "bus"}).json()["results"]
    assert "Inclusion numérique" in result["themes"]
    assert "Digital inclusion" not in result["themes"]


def test_an_editor_changes_the_english_label_in_the_admin(client, editor, project, settings):
    theme = Theme.objects.get(code="numerique.inclusion-numerique")
    client.force_login(editor)
    edit = f"/admin/snippets/innovations/theme/edit/{theme.pk}/"
    form = client.get(edit).content.decode()
    assert 'name="label_en"' in form
    # The French field shows the French label even to an editor whose admin is English.
    assert re.search(r'name="label"[^>]*value="Inclusion numérique"', form)
    response = client.post(
        edit,
        {
            "domain": theme.domain_id,
            "label": "Inclusion numérique",
            "label_en": "Digital skills for all",
            "code": theme.code,
            "sort_order": theme.sort_order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    theme.refresh_from_db()
    assert (theme.label_fr, theme.label_en) == ("Inclusion numérique", "Digital skills for all")
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Digital skills for all" in client.get(project.url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Inclusion numérique" in client.get(project.url).content.decode()
