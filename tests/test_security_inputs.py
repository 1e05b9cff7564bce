"""Hostile input never gives a 5xx: huge ids, control characters in titles and
queries, spreadsheet formulas in exported cells."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection

from search.indexing import reindex

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = 2**63  # one past the largest 64-bit signed id
HUGE = 10**30


# --- ids beyond the database's range ------------------------------------------------


@pytest.mark.parametrize("project_id", [BEYOND_BIGINT, HUGE])
@pytest.mark.parametrize(
    "path",
    [
        "/mon-espace/projets/{id}/modifier/",
        "/mon-espace/projets/{id}/envoyer/",
        "/mon-espace/projets/{id}/historique/",
        "/mon-espace/projets/{id}/apercu/",
        "/mon-espace/projets/{id}/equipe/",
        "/mon-espace/projets/1/equipe/{id}/retirer/",
        "/projets-actions/{id}/revendiquer/",
        "/projets-actions/{id}/contact/",
        "/membres/{id}/",
    ],
)
def test_ids_beyond_64_bits_are_404_on_every_route(client, user, projects_index, path, project_id):
    client.force_login(user)  # past the login wall, down to the database lookup
    url = path.format(id=project_id)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_largest_64_bit_id_still_reaches_the_view(client, user, projects_index):
    client.force_login(user)
    # Resolved (the view answers its own 404), not refused by the converter.
    assert client.get(f"/membres/{BEYOND_BIGINT - 1}/").status_code == 404
    from django.urls import resolve

    assert resolve(f"/membres/{BEYOND_BIGINT - 1}/").kwargs == {"user_id": BEYOND_BIGINT - 1}


@pytest.mark.parametrize("project_id", [BEYOND_BIGINT, HUGE, 0, -1])
@pytest.mark.parametrize("suffix", ["", "/jsonld"])
def test_api_ids_beyond_64_bits_are_422(client, db, project_id, suffix):
    response = client.get(f"/api/v1/projects/{project_id}{suffix}")
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


# --- control characters in feeds and queries ----------------------------------------


@pytest.fixture
def escaped_project(make_project):
    # PostgreSQL cannot store NUL at all (its text type refuses it): there, the
    # other control characters are what reaches the feeds and exports.
    nul = "" if connection.vendor == "postgresql" else "\x00"
    project = make_project(
        title="Jardin \x1b[31mrouge\x1b[0m partagé",
        summary=f"Un résumé{nul} avec\x0b des caractères\x1f de contrôle\ufffe.",
    )
    reindex()
    return project


@pytest.mark.parametrize("feed", ["/recherche/flux.atom", "/recherche/flux.rss"])
def test_feeds_strip_characters_xml_cannot_carry(client, escaped_project, feed):
    response = client.get(feed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Jardin [31mrouge[0m partagé" in body
    assert "\x1b" not in body and "\x00" not in body and "\ufffe" not in body
    from defusedxml.minidom import parseString  # well-formed XML 1.0

    parseString(response.content)


@pytest.mark.parametrize(
    "url",
    [
        "/recherche/export.csv",
        "/recherche/export.geojson",
        "/donnees/projets.csv",
        "/donnees/projets.json",
        "/donnees/projets.geojson",
    ],
)
def test_exports_survive_control_characters(client, escaped_project, url):
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "partagé".encode() in body or b"partag\\u00e9" in body


@pytest.mark.parametrize(
    "url",
    [
        "/recherche/",
        "/recherche/flux.atom",
        "/recherche/flux.rss",
        "/recherche/export.csv",
        "/recherche/export.geojson",
        "/api/v1/search",
        "/api/v1/projects",
    ],
)
@pytest.mark.parametrize(
    "params",
    [{"q": "\x00"}, {"q": "jardin\x1b"}, {"region": "\x00"}, {"autour": "Gu\x07ret"}],
)
def test_control_characters_in_queries_are_a_clear_400(client, projects_index, url, params):
    response = client.get(url, params)
    assert response.status_code == 400
    if response["Content-Type"].startswith("application/json"):
        body = json.dumps(response.json(), ensure_ascii=False)
    else:
        body = response.content.decode()
    assert "caractère de contrôle" in body


def test_territory_autocomplete_refuses_control_characters(client, territories):
    response = client.get("/api/v1/territoires", {"q": "gu\x00"})
    assert response.status_code == 400
    assert "caractère de contrôle" in response.json()["detail"]


# --- spreadsheet formulas in CSV exports --------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def formula_projects(make_project):
    projects = [
        make_project(title=formula, summary=f'{formula}; "quoted" ; end') for formula in FORMULAS
    ]
    reindex()
    return projects


def test_open_data_csv_neutralises_formulas(client, formula_projects):
    rows = _rows(client.get("/donnees/projets.csv"))
    titles = sorted(r["title"] for r in rows)
    assert titles == sorted("'" + f for f in FORMULAS)
    for row in rows:
        assert row["summary"].startswith("'")
        assert '"quoted"' in row["summary"]  # the separator and quotes survive, quoted
    # The numeric id is not touched.
    assert all(r["id"].isdigit() for r in rows)


def test_search_csv_neutralises_formulas(client, formula_projects):
    rows = [r for r in _rows(client.get("/recherche/export.csv")) if r["type"] == "project"]
    titles = sorted(r["titre"] for r in rows)
    assert titles == sorted("'" + f for f in FORMULAS)
    assert all(r["résumé"].startswith("'") for r in rows)


def test_exports_keep_ordinary_text_and_negative_numbers_as_numbers():
    from core.csvsafe import csv_safe

    assert csv_safe("Jardin partagé") == "Jardin partagé"
    assert csv_safe(-4.48) == -4.48  # a real number is not a formula
    assert csv_safe(12) == 12
    assert csv_safe("") == ""
    assert csv_safe(None) == ""
    assert csv_safe("-4.48") == "'-4.48"  # text is text, whatever it looks like


def test_geojson_export_is_unaffected(client, formula_projects):
    features = json.loads(client.get("/recherche/export.geojson").content)["features"]
    titles = {f["properties"]["title"] for f in features if f["properties"]["kind"] == "project"}
    assert titles == set(FORMULAS)  # JSON carries text as it is
