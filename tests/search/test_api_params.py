"""The API's facets can be used as filters (each says which parameter filters on
it), and an unknown parameter is reported, never silently ignored — on
/api/v1/search and /api/v1/projects, which still accept it (200)."""

from __future__ import annotations

import pytest

from search.indexing import reindex
from search.registry import facet_names, facet_params

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(use_backend, make_project, site_pages):
    make_project(title="Jardin partagé de Guéret", commune="23096")
    make_project(title="Repair café de Rennes", commune="35238")
    reindex()  # the editorial pages of site_pages too
    return use_backend


def test_each_facet_names_the_parameter_that_filters_on_it(client, corpus):
    data = client.get("/api/v1/search").json()
    assert data["facet_parameters"] == facet_params()
    assert set(data["facets"]) <= set(data["facet_parameters"]) == set(facet_names())
    kinds = {item["value"]: item["count"] for item in data["facets"]["kind"]}
    assert kinds["project"] == 2 and kinds["page"] > 0
    # Filtering with the parameter the response gives narrows to that facet value.
    param = data["facet_parameters"]["kind"]
    narrowed = client.get("/api/v1/search", {param: "project"}).json()
    assert narrowed["count"] == 2 and narrowed["warnings"] == []


def test_an_unknown_parameter_is_reported_with_the_one_meant(client, corpus):
    response = client.get("/api/v1/search", {"kind": "project"})
    assert response.status_code == 200
    data = response.json()
    assert data["warnings"] == [
        "Paramètre inconnu « kind » (ignoré) : vouliez-vous dire « type » ?"
    ]
    everything = client.get("/api/v1/search").json()
    assert data["count"] == everything["count"]  # ignored, as the warning says
    themes = client.get("/api/v1/search", {"themes": "x", "sort": "alpha"}).json()
    assert themes["warnings"] == [
        "Paramètre inconnu « themes » (ignoré) : vouliez-vous dire « theme » ?",
        "Paramètre inconnu « sort » (ignoré) : vouliez-vous dire « tri » ?",
    ]
    odd = client.get("/api/v1/search", {"zzz": "1"}).json()["warnings"][0]
    assert odd.startswith("Paramètre inconnu « zzz » (ignoré). Paramètres acceptés : q, type,")


def test_projects_list_accepts_unknown_parameters_with_a_warning(client, corpus):
    response = client.get("/api/v1/projects", {"page_size": "1"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and len(data["results"]) == 2
    assert data["warnings"] == [
        "Paramètre inconnu « page_size » (ignoré) : vouliez-vous dire « par_page » ?"
    ]
    assert client.get("/api/v1/projects", {"par_page": "1"}).json()["warnings"] == []
    pages = client.get("/api/v1/projects", {"type": "page"}).json()
    assert pages["count"] == 2
    assert pages["warnings"] == [
        "« type » est sans effet ici : cette liste ne donne que des projets."
    ]


def test_the_schema_documents_warnings_and_facet_parameters(client, corpus):
    schema = client.get("/api/v1/openapi.json").json()
    schemas = schema["components"]["schemas"]
    search_out = schemas["SearchOut"]["properties"]
    assert "facet_parameters" in search_out and "« type=project »" in str(search_out)
    assert "warnings" in search_out and "jamais ignoré en silence" in str(search_out)
    assert "warnings" in schemas["ProjectListOut"]["properties"]
    for path in ("/api/v1/search", "/api/v1/projects"):
        error = schema["paths"][path]["get"]["responses"]["400"]
        ref = error["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert "candidates" in schemas[ref]["properties"], path
