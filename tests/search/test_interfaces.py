"""The search page, the JSON API, exports, feeds and suggestions: what people get,
and that nothing unpublished leaks through any of them."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from innovations.services.projects import project_create
from search.indexing import reindex
from search.models import SearchQueryDay
from tests.factories import project_input
from tests.search.documents import project_document

pytestmark = pytest.mark.django_db

SECRET = "Ressourcerie confidentielle"


@pytest.fixture
def corpus(use_backend, make_project, owner):
    make_project(title="Jardin partagé de Guéret", commune="23096")
    make_project(
        title="Repair café de Rennes",
        themes=["environnement.economie-circulaire"],
        commune="35238",
        tags=["repair café"],
    )
    project_create(user=owner, data=project_input(title=f"{SECRET} brouillon"))
    project_create(user=owner, data=project_input(title=f"{SECRET} en modération"), submit=True)
    reindex()
    # A document only one member may see (the way community content will be).
    use_backend.index(
        [
            project_document(
                kind="project",
                object_id="999999",
                url="/prive/",
                title=f"{SECRET} privée",
                visibility=["user:999999"],
            )
        ]
    )
    return use_backend


def test_search_page_lists_results_with_highlights_and_facets(client, corpus):
    response = client.get("/recherche/", {"q": "jardins partages"})
    html = response.content.decode()
    assert response.status_code == 200
    # « À propos du Carrefour » matches one of the two words: after the all-words project.
    assert "2 résultats" in html
    assert "<mark>Jardin</mark> <mark>partagé</mark> de Guéret" in html
    assert html.index("Jardin</mark> <mark>partagé") < html.index("propos du Carrefour")
    assert 'name="domaine"' in html and "Numérique" in html
    assert 'aria-live="polite"' in html


def test_the_url_holds_the_state_and_filters_combine(client, corpus):
    html = client.get("/recherche/", {"region": "53", "tri": "alpha"}).content.decode()
    assert "Repair café de Rennes" in html and "Jardin partagé de Guéret" not in html
    assert 'value="53" checked' in html
    assert 'value="alpha" selected' in html
    # The map view keeps the same filters and offers the same results.
    map_html = client.get("/recherche/", {"region": "53", "vue": "carte"}).content.decode()
    points = json.loads(re.search(r'id="search-map-points"[^>]*>(.*?)</script>', map_html).group(1))
    assert [p["title"] for p in points] == ["Repair café de Rennes"]
    assert 'href="?region=53"' in map_html  # back to the list, same filters


def test_search_around_a_commune_sorted_by_distance(client, corpus):
    html = client.get(
        "/recherche/", {"autour": "Guéret (23)", "rayon": "50", "tri": "distance"}
    ).content.decode()
    assert "Jardin partagé de Guéret" in html
    assert re.search(r"à 0[.,]0 km", html)
    assert "Repair café de Rennes" not in html


def test_zero_results_offer_to_drop_each_filter(client, corpus):
    html = client.get("/recherche/", {"q": "jardin", "region": "53"}).content.decode()
    assert "Aucun résultat ne correspond à cette recherche." in html
    assert "Retirer « Texte : « jardin » »" in html
    assert "Retirer « Région : Bretagne »" in html


def test_typo_gets_a_correction(client, corpus):
    html = client.get("/recherche/", {"q": "jardim"}).content.decode()
    assert "Vouliez-vous dire" in html and "jardin" in html


def test_bad_parameters_are_explained(client, corpus):
    response = client.get("/recherche/", {"tri": "hasard"})
    assert response.status_code == 400
    assert "Tri inconnu « hasard »" in response.content.decode()
    response = client.get("/recherche/", {"autour": "Atlantide"})
    assert "Lieu inconnu « Atlantide »" in response.content.decode()
    api = client.get("/api/v1/search", {"rayon": "-3", "lat": "45", "lon": "1"})
    assert api.status_code == 400


def test_api_returns_the_same_results_with_facets_and_links(client, corpus):
    data = client.get("/api/v1/search", {"q": "repair", "par_page": "1"}).json()
    assert data["count"] == 1
    result = data["results"][0]
    assert result["title"] == "Repair café de Rennes"
    assert result["kind"] == "project"
    assert result["points"] and {"lat", "lon"} <= set(result["points"][0])
    assert "Rennes" in result["territory"]
    assert {"value", "label", "count", "selected"} <= set(data["facets"]["region"][0])
    assert data["links"]["self"].startswith("/api/v1/search?")
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/search" in schema["paths"]


def test_exports_csv_and_geojson_with_coordinates(client, corpus):
    response = client.get("/recherche/export.csv", {"q": "repair"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:2] == ["type", "titre"]
    assert rows[1][1] == "Repair café de Rennes"
    assert float(rows[1][6]) == pytest.approx(48.11, abs=0.1)
    geo = json.loads(client.get("/recherche/export.geojson", {"q": "repair"}).content)
    assert geo["type"] == "FeatureCollection"
    lon, lat = geo["features"][0]["geometry"]["coordinates"]
    assert lat == pytest.approx(48.11, abs=0.1) and lon == pytest.approx(-1.68, abs=0.1)


def test_feeds_list_new_matching_projects(client, corpus):
    atom = client.get("/recherche/flux.atom", {"q": "jardin"}).content.decode()
    assert "<feed" in atom and "Jardin partagé de Guéret" in atom
    rss = client.get("/recherche/flux.rss").content.decode()
    assert "<rss" in rss and "Repair café de Rennes" in rss


def test_nothing_unpublished_or_private_leaks_anywhere(client, corpus):
    everything = {"q": "ressourcerie confidentielle"}
    assert SECRET not in client.get("/recherche/", everything).content.decode()
    # A public project is legitimately found through the theme synonym « ressourcerie »;
    # the hidden one never is, and the count is that of the visible results.
    found = client.get("/api/v1/search", everything).json()
    assert all(SECRET not in r["title"] for r in found["results"])
    assert found["count"] == len(found["results"])
    all_api = client.get("/api/v1/search", {"par_page": "100"}).json()
    assert all(SECRET not in r["title"] for r in all_api["results"])
    kinds = {f["value"]: f["count"] for f in all_api["facets"]["kind"]}
    assert kinds["project"] == 2  # the two live projects, nothing else
    assert SECRET not in b"".join(client.get("/recherche/export.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert SECRET not in client.get("/recherche/export.geojson").content.decode()
    assert SECRET not in client.get("/recherche/flux.atom").content.decode()
    assert SECRET not in client.get("/recherche/flux.rss").content.decode()
    assert (
        SECRET not in client.get("/recherche/suggestions", {"q": "ressourcerie"}).content.decode()
    )


def test_suggestions_as_you_type(client, corpus):
    data = client.get("/recherche/suggestions", {"q": "repa"}).json()["results"]
    assert {"label": "Repair café de Rennes", "category": "title"}.items() <= data[0].items()
    themes = client.get("/recherche/suggestions", {"q": "jardins"}).json()["results"]
    assert any(s["category"] == "theme" and "theme=" in s["url"] for s in themes)


def test_header_search_box_leads_to_the_search_page(client, corpus, site_pages):
    html = client.get("/").content.decode()
    assert 'action="/recherche/"' in html


def test_queries_are_counted_for_editors(client, corpus):
    client.get("/recherche/", {"q": "Jardin"})
    client.get("/recherche/", {"q": "jardin "})
    client.get("/recherche/", {"q": "zzzz introuvable"})
    jardin = SearchQueryDay.objects.get(query="jardin")
    assert (jardin.searches, jardin.zero_results) == (2, 0)
    assert SearchQueryDay.objects.get(query="zzzz introuvable").zero_results == 1


def test_promoted_results_come_first_for_their_query(client, corpus, site_pages):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    about = site_pages.get_children().get(slug="a-propos")
    SearchPromotion.objects.create(
        query=Query.get("jardin"), page=about, sort_order=0, description="Qui sommes-nous"
    )
    html = client.get("/recherche/", {"q": "jardin"}).content.decode()
    assert "Sélection de la rédaction" in html
    assert html.index("À propos du Carrefour") < html.index("partagé de Guéret")


def test_similar_projects_on_a_project_page_come_from_the_engine(client, corpus, make_project):
    neighbour = make_project(title="Compost collectif de Guéret", commune="23096")
    reindex()
    from innovations.models import ProjectPage

    garden = ProjectPage.objects.get(title="Jardin partagé de Guéret")
    html = client.get(garden.url).content.decode().split("Projets proches", 1)[1]
    assert neighbour.title in html


def test_editors_see_search_analytics_in_the_admin(client, corpus, editor, owner):
    client.get("/recherche/", {"q": "jardin"})
    client.get("/recherche/", {"q": "zzzz introuvable"})
    client.force_login(editor)
    html = client.get("/admin/recherche/statistiques/").content.decode()
    assert "Recherches les plus fréquentes" in html
    assert "jardin" in html and "zzzz introuvable" in html
    client.force_login(owner)
    assert client.get("/admin/recherche/statistiques/").status_code in (302, 403)
