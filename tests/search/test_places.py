"""« Autour de » understands the places people type: communes, postal codes,
départements and régions; homonyms are choices (links that re-run the search with
exactly that place), never the most populated picked silently — on the page
(without JavaScript: plain links and a form) and in the API."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from innovations.models import Territory, TerritoryLevel
from innovations.selectors import territory_resolve
from search.indexing import reindex
from search.query import SearchQuery, parse_params
from search.services import resolve_place

pytestmark = pytest.mark.django_db

# Real communes (INSEE code officiel géographique) the shared fixture lacks.
EXTRA_COMMUNES = [
    # code, name, département, postal codes, population, position
    ("93048", "Montreuil", "93", "93100", 111934, (48.8638, 2.4485)),
    ("28267", "Montreuil", "28", "28500", 538, None),
    ("80225", "Creuse", "80", "80480", 186, None),
    ("23193", "Sainte-Feyre", "23", "23000", 2566, None),
    ("69003", "Albigny-sur-Saône", "69", "69250", 3057, None),
]


@pytest.fixture
def places(territories):
    for code, name, dep, postcodes, population, point in EXTRA_COMMUNES:
        departement = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code=dep)
        Territory.objects.create(
            level=TerritoryLevel.COMMUNE,
            code=code,
            name=name,
            parent=departement,
            departement_code=dep,
            region_code=departement.region_code,
            postal_codes=postcodes,
            population=population,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
        )
    # Lyon's postal codes, as the official file gives them (the fixture has none).
    Territory.objects.filter(level=TerritoryLevel.COMMUNE, code="69123").update(
        postal_codes=" ".join(f"6900{n}" for n in range(1, 10))
    )


@pytest.fixture
def corpus(use_backend, make_project, places):
    for title, commune in (
        ("Épicerie solidaire de Paris", "75056"),
        ("Recyclerie de Saint-Denis", "93066"),
        ("Jardin partagé de Montreuil", "93048"),
        ("Bus numérique de Guéret", "23096"),
        ("Tiers-lieu d'Aubusson", "23008"),
        ("Atelier vélo de Limoges", "87085"),
        ("Café associatif de Saint-Denis de La Réunion", "97411"),
    ):
        make_project(title=title, commune=commune)
    reindex()
    return use_backend


def place(text: str):
    return resolve_place(text)


def labels(choices) -> list[str]:
    return [choice.label for choice in choices]


# --- what a typed place means ----------------------------------------------------------


def test_paris_is_the_city_and_its_postal_codes_too(places):
    for typed in ("Paris", "paris", "Paris (75)", "75011", "75 011"):
        found = place(typed).place
        assert found is not None, typed
        assert found.label == "Paris (75)" and found.area is None
        assert (round(found.lat, 2), round(found.lon, 2)) == (48.86, 2.35)
    # An arrondissement picked from the list stays itself.
    assert place("Paris 11e Arrondissement (75)").place.label == "Paris 11e Arrondissement (75)"
    assert place("Paris 11e").place.label == "Paris 11e Arrondissement (75)"


def test_a_postal_code_is_read_as_a_postal_code_first(places):
    # 69003 is a postal code of Lyon and the INSEE code of Albigny-sur-Saône.
    lyon = place("69003").place
    assert lyon.label == "Lyon (69)"
    assert labels(lyon.others) == ["Albigny-sur-Saône (69)"]
    assert place("23096").place.label == "Guéret (23)"  # an INSEE code alone


def test_a_postal_code_shared_by_several_communes_gives_choices(places):
    shared = place("23000")
    assert shared.place is None and shared.ambiguous
    assert labels(shared.choices) == ["Guéret (23)", "Sainte-Feyre (23)"]


def test_homonyms_are_choices_not_the_most_populated(places):
    montreuil = place("Montreuil")
    assert montreuil.place is None and montreuil.ambiguous
    assert labels(montreuil.choices) == ["Montreuil (93)", "Montreuil (28)"]
    assert montreuil.choices[0].detail.startswith("Seine-Saint-Denis, Île-de-France, 111")
    for typed in ("Saint-Denis", "St-Denis", "saint denis"):
        assert set(labels(place(typed).choices)) == {"Saint-Denis (93)", "Saint-Denis (974)"}
    # Each choice's value names exactly that place.
    for choice in montreuil.choices:
        assert place(choice.value).place.label == choice.label


def test_a_departement_or_region_name_is_that_area(places):
    creuse = place("Creuse")
    assert creuse.place.label == "Creuse (département 23)"
    assert creuse.place.area == ("departement", "23")
    # The commune of the Somme is offered, not silently dropped.
    assert labels(creuse.place.others) == ["Creuse (80)"]
    for typed in ("Creuse (département 23)", "Creuse (department 23)", "Creuse (23)", "23"):
        assert place(typed).place.area == ("departement", "23"), typed
    assert place("Creuse (80)").place.area is None
    assert place("Île-de-France").place.area == ("region", "11")
    assert place("ile de france").place.label == "Île-de-France (région)"
    # The région and the département of La Réunion are one place: the département.
    assert place("La Réunion").place.area == ("departement", "974")


def test_a_commune_without_a_position_is_measured_from_its_departement(places):
    found = place("Montreuil (28)").place
    eure_et_loir = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="28")
    assert (found.lat, found.lon) == (eure_et_loir.latitude, eure_et_loir.longitude)
    assert "Eure-et-Loir" in found.note


def test_unknown_places_get_suggestions_or_a_clear_message(places):
    assert labels(place("Guér").choices)[:1] == ["Guéret (23)"]
    assert not place("Guér").ambiguous
    assert place("Atlantide").place is None and not place("Atlantide").choices


def test_the_project_form_understands_the_same_places(places):
    # One resolution for every form of the site (innovations/forms.py uses it too).
    assert territory_resolve("Paris").territory.code == "75056"
    assert territory_resolve("Creuse").territory.level == TerritoryLevel.DEPARTEMENT
    assert territory_resolve("Montreuil").territory is None


# --- the search page, with and without JavaScript (plain links) -----------------------


def hit_titles(html: str) -> list[str]:
    found = re.findall(r'class="hit__title"><a href="[^"]*"[^>]*>(.*?)</a>', html)
    return [unescape(re.sub(r"<[^>]+>", "", title)) for title in found]


def test_around_paris_finds_what_is_near_nearest_first(client, corpus):
    response = client.get("/recherche/", {"autour": "Paris"})
    html = response.content.decode()
    assert response.status_code == 200
    # No « tri »: nearest first, distances from Paris.
    assert hit_titles(html) == [
        "Épicerie solidaire de Paris",
        "Jardin partagé de Montreuil",
        "Recyclerie de Saint-Denis",
    ]
    assert re.search(r"à 0[.,]0 km", html)
    assert 'value="distance" selected' in html
    assert 'value="Paris (75)"' in html  # the field shows the place understood
    postal = client.get("/recherche/", {"autour": "75011"}).content.decode()
    assert hit_titles(postal) == hit_titles(html)


def test_homonyms_are_offered_as_links_that_rerun_the_search(client, corpus):
    response = client.get("/recherche/", {"q": "jardin", "autour": "Montreuil", "rayon": "50"})
    html = response.content.decode()
    assert response.status_code == 200  # a question to the visitor, not an error
    assert "Plusieurs lieux correspondent à « Montreuil » : précisez lequel." in html
    # What was typed stays in the form.
    assert 'name="autour" value="Montreuil"' in html and 'aria-invalid="true"' in html
    assert 'value="jardin"' in html and '<option value="50" selected>' in html
    links = {
        unescape(label): unescape(href)
        for href, label in re.findall(r'<li><a href="(\?[^"]*)">([^<]*)</a> — ', html)
    }
    assert list(links) == ["Montreuil (93)", "Montreuil (28)"]
    params = parse_qs(urlsplit(links["Montreuil (93)"]).query)
    assert params == {"q": ["jardin"], "autour": ["Montreuil (93)"], "rayon": ["50"]}
    chosen = client.get("/recherche/" + links["Montreuil (93)"]).content.decode()
    assert hit_titles(chosen) == ["Jardin partagé de Montreuil"]


def test_saint_denis_is_asked_then_each_one_is_found(client, corpus):
    html = client.get("/recherche/", {"autour": "Saint-Denis"}).content.decode()
    assert "Saint-Denis (974)" in html and "Saint-Denis (93)" in html
    reunion = client.get("/recherche/", {"autour": "Saint-Denis (974)"}).content.decode()
    assert hit_titles(reunion) == ["Café associatif de Saint-Denis de La Réunion"]


def test_a_departement_searches_within_it_from_its_centre(client, corpus):
    html = client.get("/recherche/", {"autour": "Creuse", "rayon": "5"}).content.decode()
    # In the Creuse whatever the radius; Limoges (Haute-Vienne) is not.
    assert sorted(hit_titles(html)) == ["Bus numérique de Guéret", "Tiers-lieu d'Aubusson"]
    assert "Dans Creuse (département 23)" in html
    assert re.search(r"à \d+[.,]\d km", html)
    assert "Vous cherchiez peut-être :" in html and "Creuse (80)" in html
    region = client.get("/recherche/", {"autour": "Île-de-France"}).content.decode()
    assert set(hit_titles(region)) == {
        "Épicerie solidaire de Paris",
        "Jardin partagé de Montreuil",
        "Recyclerie de Saint-Denis",
    }


def test_an_unknown_place_keeps_what_was_typed(client, corpus):
    response = client.get("/recherche/", {"autour": "Guér", "rayon": "20"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Lieu inconnu « Guér »" in html
    assert 'name="autour" value="Guér"' in html and '<option value="20" selected>' in html
    assert "?autour=Gu%C3%A9ret+%2823%29&amp;rayon=20" in html


def test_default_sort_around_a_place_is_distance_and_stays_out_of_urls(places):
    query = parse_params(
        {"autour": "Paris"}, principals=frozenset({"public"}), resolve_place=resolve_place
    )
    assert query.sort == "distance"
    assert ("tri", "distance") not in query.to_params()
    relevance = parse_params(
        {"autour": "Paris", "tri": "pertinence"},
        principals=frozenset({"public"}),
        resolve_place=resolve_place,
    )
    assert ("tri", "pertinence") in relevance.to_params()
    assert SearchQuery().sort == "pertinence"


# --- the API ------------------------------------------------------------------------------


def test_api_resolves_places_and_lists_the_candidates_of_ambiguous_ones(client, corpus):
    paris = client.get("/api/v1/search", {"autour": "Paris"}).json()
    assert paris["count"] == 3
    assert paris["results"][0]["distance_km"] == 0.0
    for path in ("/api/v1/search", "/api/v1/projects"):
        response = client.get(path, {"autour": "Montreuil"})
        assert response.status_code == 400, path
        body = response.json()
        assert "Montreuil" in body["detail"]
        assert [c["value"] for c in body["candidates"]] == ["Montreuil (93)", "Montreuil (28)"]
        assert body["candidates"][0]["detail"].startswith("Seine-Saint-Denis")
    chosen = client.get("/api/v1/projects", {"autour": "Montreuil (93)", "rayon": "5"}).json()
    assert [p["title"] for p in chosen["results"]] == ["Jardin partagé de Montreuil"]
