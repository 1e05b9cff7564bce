"""Script injection through every JavaScript-enhanced widget, in a real browser:
the search box (loaded from ?q= and typed), its suggestions, the commune
autocomplete (search page « autour », project form), the map popups (search map,
project page). Titles and place names are payloads from tests/e2e/xss_payloads.py;
each widget must show them as text, and nothing may run: no dialog, no
``window.__xss``, no console error (the page fixture also fails on any
Content-Security-Policy violation, which is what an injected handler causes)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest

from innovations.models import Territory, TerritoryLevel
from search.indexing import reindex
from tests.e2e.xss_payloads import PAYLOADS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A payload that runs reports itself at once (the flag survives navigation).
WATCH = """
Object.defineProperty(window, "__xss", {
  configurable: false,
  get: function () { return 0; },
  set: function (value) { window.__carrefourXss(String(value)); }
});
"""
# 1×1 transparent PNG served in place of OpenStreetMap tiles (no network in tests,
# and a failed tile would be a console error).
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
# Nothing rendered inside an option or a popup may be an element: text only.
MENU_TEXTS = """(id) => {
  const menu = document.getElementById(id + "__listbox");
  if (!menu) { return null; }
  return {
    elements: menu.querySelectorAll("li *").length,
    texts: Array.from(menu.querySelectorAll("li"), (li) => li.textContent),
  };
}"""
# A popup is made of our div, strong or link and line break; anything else came from a payload.
FOREIGN = ":not(div, strong, a, br)"
INJECTED = "() => document.querySelectorAll('[onerror], [onload], [onfocus], [ontoggle]').length"

TITLE_GROUP, PLACE_GROUP = 4, 10  # suggestions show 4 titles; the autocomplete 10 places


def _prefix(kind: str, index: int, size: int) -> str:
    return f"X{kind}{chr(ord('a') + index // size)}"


def _title(index: int) -> str:
    return f"{_prefix('q', index, TITLE_GROUP)} {PAYLOADS[index]}"


def _place(index: int) -> str:
    return f"{_prefix('t', index, PLACE_GROUP)} {PAYLOADS[index]}"


def _label(index: int) -> str:
    return f"{_place(index)} (23)"  # territory_label of a commune of the Creuse


def _groups(names: list[str], prefix_of) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for index, name in enumerate(names):
        groups.setdefault(prefix_of(index), set()).add(name)
    return groups


class Watch:
    """Dialogs, ``window.__xss`` flags, console and page errors of one browser context."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.flags: list[str] = []
        self.errors: list[str] = []
        context = page.context
        context.expose_function("__carrefourXss", self._flag)
        context.add_init_script(WATCH)
        context.route(
            "https://tile.openstreetmap.org/**",
            lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
        )
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _flag(self, value: str) -> None:
        self.flags.append(value)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _page_error(self, error) -> None:
        self.errors.append(str(error))

    def assert_clean(self, page) -> None:
        page.wait_for_timeout(150)  # an image's onerror fires after the load fails
        assert page.evaluate(INJECTED) == 0
        assert (self.dialogs, self.flags, self.errors) == ([], [], [])


def _autocomplete(page, field_id: str, text: str, expected: set[str]) -> None:
    """Type into an accessible-autocomplete and check its options are exactly
    ``expected``, as text."""
    page.locator(f"#{field_id}").fill(text)
    page.wait_for_function(
        """([id, expected]) => {
          const texts = Array.from(document.querySelectorAll(`#${id}__listbox li`),
                                   (li) => li.textContent);
          return expected.every((text) => texts.includes(text));
        }""",
        arg=[field_id, sorted(expected)],
        timeout=5_000,
    )
    menu = page.evaluate(MENU_TEXTS, field_id)
    assert menu["elements"] == 0
    assert set(menu["texts"]) >= expected, text


@pytest.fixture
def payload_places(territories):
    """One commune of the Creuse per payload, named after it, with a position."""
    creuse = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="23")
    for index in range(len(PAYLOADS)):
        Territory.objects.create(
            level=TerritoryLevel.COMMUNE,
            code=f"99{index:03d}",
            name=_place(index),
            parent=creuse,
            region_code=creuse.region_code,
            departement_code="23",
            latitude=46.0 + index * 0.01,
            longitude=1.8 + index * 0.01,
        )
    return [_label(index) for index in range(len(PAYLOADS))]


@pytest.fixture
def payload_projects(make_project, payload_places):
    """One published project per payload, titled after it, in its payload commune."""
    projects = [
        make_project(title=_title(index), commune=f"99{index:03d}")
        for index in range(len(PAYLOADS))
    ]
    reindex()
    return projects


def test_search_page_widgets_and_maps_show_payloads_as_text(page, payload_projects, payload_places):
    assert len(PAYLOADS) >= 30
    watch = Watch(page)
    titles = [_title(index) for index in range(len(PAYLOADS))]

    # Loaded from the URL: both fields of the search page start with a payload.
    for index, payload in enumerate(PAYLOADS):
        page.goto("/recherche/?" + urlencode({"q": payload, "autour": _label(index)}))
        assert page.locator("#search-q").input_value() == payload
        assert page.locator("#search-place").input_value() == _label(index)
        for field_id, value in (("search-q", payload), ("search-place", _label(index))):
            assert page.evaluate(MENU_TEXTS, field_id) == {"elements": 0, "texts": [value]}
    watch.assert_clean(page)

    # Typed: the payloads themselves, then suggestions made of payload titles and places.
    page.goto("/recherche/")
    for payload in PAYLOADS:
        with page.expect_response("**/recherche/suggestions?*"):
            page.locator("#search-q").fill(payload)
        page.wait_for_timeout(20)  # the options are drawn after the response
        assert page.evaluate(MENU_TEXTS, "search-q")["elements"] == 0
    for prefix, expected in _groups(titles, lambda i: _prefix("q", i, TITLE_GROUP)).items():
        _autocomplete(page, "search-q", prefix, expected)
    for prefix, expected in _groups(payload_places, lambda i: _prefix("t", i, PLACE_GROUP)).items():
        _autocomplete(page, "search-place", prefix, expected)
    watch.assert_clean(page)

    # The search map: every marker's popup, opened in turn.
    page.goto("/recherche/?vue=carte")
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster")
    popups = page.evaluate(
        """(FOREIGN) => {
          const map = document.querySelector("[data-map]").__carrefourMap;
          const markers = new Set();
          map.eachLayer((layer) => {
            (layer.getLayers ? layer.getLayers() : [layer])
              .filter((marker) => marker.getPopup && marker.getPopup())
              .forEach((marker) => markers.add(marker));
          });
          return Array.from(markers, (marker) => {
            const popup = marker.getPopup().setLatLng(marker.getLatLng()).openOn(map);
            const content = popup.getElement().querySelector(".leaflet-popup-content");
            return [content.querySelectorAll(FOREIGN).length, content.textContent];
          });
        }""",
        FOREIGN,
    )
    assert {text for _, text in popups} == set(titles)
    assert {elements for elements, _ in popups} == {0}
    watch.assert_clean(page)

    # Project pages: the map's popup names the payload commune.
    for index, project in enumerate(payload_projects):
        page.goto(project.url)
        page.locator(".leaflet-marker-icon").click()
        popup = page.locator(".leaflet-popup-content")
        assert popup.text_content() == _label(index)
        assert popup.locator(FOREIGN).count() == 0
    watch.assert_clean(page)


def test_project_form_commune_autocomplete_shows_payloads_as_text(
    page, make_project, payload_places, owner, password
):
    from innovations.services.projects import LocationInput

    places = list(Territory.objects.filter(code__startswith="99").order_by("code"))
    drafts = [
        make_project(
            owner=owner,
            live=False,
            title=f"Projet aux lieux piégés {start}",
            locations=[LocationInput(territory=place) for place in places[start : start + 10]],
        )
        for start in range(0, len(places), 10)
    ]
    expected_labels = [
        set(payload_places[start : start + 10]) for start in range(0, len(places), 10)
    ]
    watch = Watch(page)
    page.goto("/compte/login/")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()

    # Loaded: editing a project fills each place field with a payload commune.
    for draft, labels in zip(drafts, expected_labels, strict=True):
        page.goto(f"/mon-espace/projets/{draft.pk}/modifier/")
        fields = page.locator("input[name$='-territory']")
        assert {fields.nth(i).input_value() for i in range(fields.count())} == labels
        assert (
            page.evaluate("() => document.querySelectorAll('.autocomplete__menu li *').length") == 0
        )
    watch.assert_clean(page)

    # Typed, on the proposal form.
    page.goto("/mon-espace/projets/proposer/")
    field_id = page.get_by_label("Commune, département ou région").first.get_attribute("id")
    for prefix, expected in _groups(payload_places, lambda i: _prefix("t", i, PLACE_GROUP)).items():
        _autocomplete(page, field_id, prefix, expected)
    for payload in PAYLOADS[:10]:
        with page.expect_response("**/api/v1/territoires?*"):
            page.locator(f"#{field_id}").fill(payload)
        assert page.evaluate(MENU_TEXTS, field_id)["elements"] == 0
    watch.assert_clean(page)
