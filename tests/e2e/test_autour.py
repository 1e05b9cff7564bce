"""« Autour de » in a real browser, on a phone (390×844) and a desktop (1280×800),
with and without JavaScript: ordinary places (« Paris », « 75011 », « Creuse »)
are understood, homonyms (« Montreuil », « Saint-Denis ») are asked, each choice a
link that re-runs the search; and the map of all results opens on metropolitan
France, with buttons to the overseas results. Every page visited is checked with
axe-core (WCAG 2.1 AA); without JavaScript, on the same page with JavaScript (axe
needs it), as tests/e2e/test_layout.py does."""

from __future__ import annotations

import re

import pytest

from innovations.models import Territory, TerritoryLevel
from search.indexing import reindex

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["telephone", "ordinateur"])


@pytest.fixture
def places(make_project):
    for code, dep, postcode, population, point in (
        ("93048", "93", "93100", 111934, (48.8638, 2.4485)),
        ("28267", "28", "28500", 538, None),
    ):
        departement = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code=dep)
        Territory.objects.create(
            level=TerritoryLevel.COMMUNE,
            code=code,
            name="Montreuil",
            parent=departement,
            departement_code=dep,
            region_code=departement.region_code,
            postal_codes=postcode,
            population=population,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
        )
    for title, commune in (
        ("Épicerie solidaire de Paris", "75056"),
        ("Jardin partagé de Montreuil", "93048"),
        ("Recyclerie de Saint-Denis", "93066"),
        ("Bus numérique de Guéret", "23096"),
        ("Café associatif de Saint-Denis de La Réunion", "97411"),
        ("Tiers-lieu de Pointe-à-Pitre", "97120"),
    ):
        make_project(title=title, commune=commune)
    reindex()


def _titles(tab) -> list[str]:
    return [t.strip() for t in tab.locator(".hit__title").all_inner_texts()]


def _search(tab, place: str) -> None:
    """Type a place and send it as typed (with JavaScript, the list of suggestions is
    closed first, as a person does with Échap)."""
    field = tab.get_by_label("Autour de")
    field.fill(place)
    field.press("Escape")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Rechercher", exact=True).last.click()


@SIZES
def test_with_javascript_places_are_understood_and_homonyms_asked(page, places, axe, viewport):
    page.set_viewport_size(viewport)
    page.goto("/recherche/")
    axe(page)

    # A name picked in the list: nearest first, without choosing a sort.
    page.get_by_label("Autour de").fill("Pari")
    page.get_by_role("option", name="Paris (75)", exact=True).click()
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.wait_for_url("**autour=Paris*")
    assert "tri=" not in page.url
    assert _titles(page)[:3] == [
        "Épicerie solidaire de Paris",
        "Jardin partagé de Montreuil",
        "Recyclerie de Saint-Denis",
    ]
    assert re.search(r"à 0[.,]0 km", page.locator(".hit__meta").first.inner_text())
    assert page.get_by_label("Trier par").input_value() == "distance"
    axe(page, context="autour de Paris")

    # A postal code, typed and sent as is.
    _search(page, "75011")
    assert page.get_by_label("Autour de").input_value() == "Paris (75)"
    assert _titles(page)[0] == "Épicerie solidaire de Paris"

    # Homonyms: asked, the typed text kept, each choice a link.
    _search(page, "Montreuil")
    alert = page.get_by_role("alert")
    assert "Plusieurs lieux correspondent à « Montreuil »" in alert.inner_text()
    assert page.get_by_label("Autour de").input_value() == "Montreuil"
    assert page.title().startswith("Erreur")
    axe(page, context="homonymes (avec JavaScript)")
    alert.get_by_role("link", name="Montreuil (93)").click()
    page.wait_for_url("**autour=Montreuil+%2893%29*")
    assert _titles(page) == [
        "Jardin partagé de Montreuil",
        "Épicerie solidaire de Paris",
        "Recyclerie de Saint-Denis",
    ]
    axe(page, context="Montreuil (93) choisi")


def _no_js(browser, live_server, viewport):
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport=viewport, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    return context


@SIZES
def test_without_javascript_the_same_places_work(browser, live_server, places, page, axe, viewport):
    context = _no_js(browser, live_server, viewport)
    tab = context.new_page()
    tab.goto("/recherche/")
    _search(tab, "Saint-Denis")
    assert (
        "Plusieurs lieux correspondent à « Saint-Denis »"
        in tab.locator(".error-summary").inner_text()
    )
    assert tab.get_by_label("Autour de").input_value() == "Saint-Denis"
    homonyms = tab.url
    with tab.expect_navigation():
        tab.locator(".error-summary").get_by_role("link", name="Saint-Denis (974)").click()
    assert _titles(tab) == ["Café associatif de Saint-Denis de La Réunion"]
    chosen = tab.url

    # A département: what is in it, whatever the radius.
    _search(tab, "Creuse")
    assert "Dans Creuse (département 23)" in tab.locator(".active-filters").inner_text()
    assert _titles(tab) == ["Bus numérique de Guéret"]
    departement = tab.url
    context.close()

    page.set_viewport_size(viewport)
    for url, where in ((homonyms, "homonymes"), (chosen, "choisi"), (departement, "Creuse")):
        page.goto(url)
        axe(page, context=f"{where} sans JavaScript (vérifiée avec)")


def _map_view(tab) -> dict:
    return tab.evaluate(
        """() => { const map = document.querySelector('[data-map]').__carrefourMap;
                   const b = map.getBounds();
                   return {south: b.getSouth(), north: b.getNorth(), west: b.getWest(),
                           east: b.getEast(), lat: map.getCenter().lat}; }"""
    )


@SIZES
def test_the_map_of_all_results_opens_on_metropolitan_france(page, places, axe, viewport):
    page.set_viewport_size(viewport)
    page.goto("/recherche/?vue=carte")
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster")
    view = _map_view(page)
    # Paris, Montreuil, Saint-Denis, Guéret fill the map; the overseas points do not
    # pull it out to the Atlantic.
    assert view["south"] > 40 and view["north"] < 52 and view["west"] > -8 and view["east"] < 12
    zones = page.get_by_role("navigation", name="Aller sur la carte")
    buttons = zones.get_by_role("button")
    assert buttons.all_inner_texts() == [
        "France métropolitaine (4)",
        "Guadeloupe (1)",
        "La Réunion (1)",
    ]
    assert (
        zones.get_by_role("button", name="France métropolitaine (4)").get_attribute("aria-pressed")
        == "true"
    )
    axe(page, context="carte de tous les résultats")
    zones.get_by_role("button", name="Guadeloupe (1)").click()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('[data-map]').__carrefourMap.getCenter().lat"
        " - 16.24) < 0.5"
    )
    assert zones.get_by_role("button", name="Guadeloupe (1)").get_attribute("aria-pressed") == (
        "true"
    )
    zones.get_by_role("button", name="France métropolitaine (4)").click()
    page.wait_for_function(
        "() => document.querySelector('[data-map]').__carrefourMap.getCenter().lat > 44"
    )
    # Results only in metropolitan France: no buttons.
    page.goto("/recherche/?vue=carte&region=11")
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster")
    assert page.locator(".map-zones").count() == 0
