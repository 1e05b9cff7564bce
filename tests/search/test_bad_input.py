"""What people type is never a 500: FTS syntax, long queries, odd parameters."""

from __future__ import annotations

import pytest

from tests.search.documents import project_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(use_backend):
    use_backend.index(
        [
            project_document(
                kind="project",
                object_id="1",
                url="/projets/1/",
                title="Jardin partagé « Les Lilas »",
                summary="Un jardin en pied d'immeuble.",
                regions=["11"],
                points=[(48.88, 2.41)],
            )
        ]
    )
    return use_backend


@pytest.mark.parametrize(
    "text",
    [
        '"jardin',  # unbalanced quote
        'jardin"',
        '""',
        "jardin*",
        "*",
        "jardin NEAR partagé",
        "NEAR(jardin partagé)",
        "-jardin",
        "jardin -",
        "jardin AND OR NOT",
        "title:jardin",
        "{title} : jardin",
        "(((jardin",
        "^jardin",
        "' OR 1=1 --",
        "jardin' ; DROP TABLE search_searchentry; --",
        "✨🌱",
        "x" * 5000,
    ],
)
def test_search_syntax_typed_by_people_never_breaks(client, indexed, text):
    page = client.get("/recherche/", {"q": text})
    assert page.status_code == 200
    api = client.get("/api/v1/search", {"q": text})
    assert api.status_code == 200
    assert client.get("/recherche/export.csv", {"q": text}).status_code == 200


def test_quotes_and_operators_are_read_sensibly(client, indexed):
    assert client.get("/api/v1/search", {"q": '"jardin'}).json()["count"] == 1
    assert client.get("/api/v1/search", {"q": "jardin*"}).json()["count"] == 1
    # « NEAR » is a word like any other (no operator): the project matching the rest is found.
    assert client.get("/api/v1/search", {"q": "jardin NEAR partagé"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "0"}, "« page » doit être compris entre 1 et 500."),
        ({"page": "999999"}, "« page » doit être compris entre 1 et 500."),
        ({"page": "deux"}, "« page » doit être un nombre entier."),
        ({"par_page": "1000"}, "« par_page » doit être compris entre 1 et 100."),
        ({"lat": "48.8"}, "« lat » et « lon » vont ensemble"),
        ({"lat": "abc", "lon": "2"}, "« lat » doit être un nombre."),
        ({"lat": "95", "lon": "2"}, "« lat » et « lon » vont ensemble"),
        ({"lat": "nan", "lon": "2"}, "« lat » doit être un nombre."),
        ({"rayon": "0", "lat": "48", "lon": "2"}, "« rayon » doit être compris entre 1 et 500 km."),
        ({"rayon": "beaucoup"}, "« rayon » doit être un nombre."),
        ({"tri": "au hasard"}, "Tri inconnu « au hasard »"),
        ({"q": "\x00"}, "« q » contient un caractère de contrôle, non autorisé."),
        ({"q": "jardin\x1b[31m"}, "« q » contient un caractère de contrôle"),
        ({"theme": "x\x00"}, "« theme » contient un caractère de contrôle"),
        ({"autour": "\x7f"}, "« autour » contient un caractère de contrôle"),
    ],
)
def test_odd_parameters_get_a_clear_message(client, indexed, params, message):
    page = client.get("/recherche/", params)
    assert page.status_code == 400
    assert message in page.content.decode()
    api = client.get("/api/v1/search", params)
    assert api.status_code in (400, 422)


def test_unknown_facet_values_simply_match_nothing(client, indexed):
    data = client.get("/api/v1/search", {"region": "zz", "type": "inconnu"}).json()
    assert data["count"] == 0
    assert [f["value"] for f in data["facets"]["region"] if f["selected"]] == ["zz"]


def test_a_page_beyond_the_results_is_empty_not_an_error(client, indexed):
    data = client.get("/api/v1/search", {"page": "3"}).json()
    assert data["count"] == 1 and data["results"] == []


@pytest.mark.parametrize("text", ["jardin\tpartagé", "jardin\npartagé", "jardin\r\npartagé"])
def test_tabs_and_line_breaks_are_ordinary_spaces_not_errors(client, indexed, text):
    assert client.get("/recherche/", {"q": text}).status_code == 200
    assert client.get("/recherche/flux.atom", {"q": text}).status_code == 200
