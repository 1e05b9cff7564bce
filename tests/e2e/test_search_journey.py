"""Searching in a real browser: text, facets, map and back, around a commune,
exports and feed — the demo content, the database backend."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from search.indexing import reindex

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(transactional_db, settings):
    settings.EMBEDDED_DATABASE = True
    call_command("setup_carrefour", verbosity=0)
    reindex()


def test_search_facets_map_proximity_exports_and_feed(page, demo, tmp_path):
    page.goto("/")
    page.get_by_label("Rechercher un projet, un thème, un territoire").fill("solidaire")
    page.get_by_label("Rechercher un projet, un thème, un territoire").press("Enter")
    page.wait_for_url("**/recherche/?q=solidaire*")
    count = page.locator("#results-heading").inner_text()
    assert "résultat" in count

    # Facets apply as soon as they are ticked (and without JavaScript on submit).
    page.locator("details.facet").filter(
        has=page.locator("summary", has_text="Domaine")
    ).first.get_by_label("Alimentation et agriculture", exact=False).check()
    page.wait_for_url("**domaine=alimentation-agriculture*")
    narrowed = page.locator("#results-heading").inner_text()
    assert narrowed != count
    region = (
        page.locator("details.facet").filter(has=page.locator("summary", has_text="Région")).first
    )
    region.locator("summary").click()  # a closed disclosure, opened by keyboard or mouse
    region.locator("input[type=checkbox]").first.check()
    page.wait_for_url("**region=*")
    url_with_filters = page.url

    # Map view: same filters, then back to the list.
    page.get_by_role("link", name="Carte", exact=True).click()
    page.wait_for_url("**vue=carte*")
    assert "domaine=alimentation-agriculture" in page.url and "region=" in page.url
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster", timeout=10_000)
    page.get_by_role("link", name="Liste", exact=True).click()
    assert "vue=carte" not in page.url
    assert parse_qs(urlsplit(page.url).query) == parse_qs(urlsplit(url_with_filters).query)

    # Around a commune, sorted by distance.
    page.goto("/recherche/")
    page.get_by_label("Autour de").fill("Toulo")
    page.get_by_role("option", name="Toulouse (31)").click()
    page.get_by_label("Rayon").select_option("100")
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.wait_for_url("**autour=Toulouse*")
    # Around a place the nearest come first by default; another order is one choice away.
    assert page.get_by_label("Trier par").input_value() == "distance"
    assert "km" in page.locator(".hit__meta").first.inner_text()
    page.get_by_label("Trier par").select_option("alpha")
    page.wait_for_url("**tri=alpha*")
    page.get_by_label("Trier par").select_option("distance")
    page.wait_for_url(lambda url: "tri=" not in url and "autour=Toulouse" in url)
    assert "km" in page.locator(".hit__meta").first.inner_text()

    # Exports of this search, with coordinates.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Tableur (CSV)").click()
    csv_path = tmp_path / "r.csv"
    csv_download.value.save_as(csv_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][6:8] == ["latitude", "longitude"] and len(rows) > 1
    with page.expect_download() as geo_download:
        page.get_by_role("link", name="Carte (GeoJSON)").click()
    geo_path = tmp_path / "r.geojson"
    geo_download.value.save_as(geo_path)
    assert json.loads(geo_path.read_text())["features"]

    # The feed of new projects matching this search.
    feed_url = page.get_by_role("link", name="Flux Atom des nouveaux projets").get_attribute("href")
    feed = page.request.get(feed_url)
    assert feed.ok and "<feed" in feed.text()
