"""What new users saw on a phone (390×844) and a desktop (1280×800): search results
first, filters behind « Filtres », a compact header with a « Menu », one search box
on the home page, and a propose form that is short, one place at a time. Every page
visited is checked with axe-core (WCAG 2.1 AA); without JavaScript, axe runs on the
same page with JavaScript (it needs it), the disclosures being in the same state."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from innovations.models import ProjectPage
from search.indexing import reindex

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def demo(transactional_db, settings):
    settings.EMBEDDED_DATABASE = True
    call_command("setup_carrefour", verbosity=0)
    reindex()


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} n'est pas affiché"
    return box


def _text_left(page, selector: str) -> float:
    """Where the first letter of an element's text starts (not its padding)."""
    return page.evaluate(
        """selector => {
            const element = document.querySelector(selector);
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
                acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT
                                                      : NodeFilter.FILTER_SKIP});
            const range = document.createRange();
            range.selectNodeContents(walker.nextNode());
            return range.getBoundingClientRect().left;
        }""",
        selector,
    )


def _no_js(browser, live_server, viewport):
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport=viewport, java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    return context


def _login(page, email="alice@carrefour.test", password="carrefour-demo"):
    page.goto("/compte/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/mon-espace/")


# --- search -----------------------------------------------------------------------------


def test_on_a_phone_results_come_first_and_filters_open_with_the_keyboard(page, demo, axe):
    page.set_viewport_size(PHONE)
    page.goto("/recherche/")
    first = page.locator(".results-list > li").first
    assert _box(first)["y"] < PHONE["height"], "le premier résultat n'est pas dans le premier écran"
    toggle = page.locator("summary", has_text="Filtres")
    assert toggle.is_visible()
    facets = page.locator("details.facet").first
    assert not facets.is_visible()
    axe(page)

    # Keyboard: the « Filtres » button opens the filters, a box ticked with the space bar
    # applies at once, and the button says how many filters are on.
    toggle.focus()
    page.keyboard.press("Enter")
    assert facets.is_visible()
    axe(page, context="filtres ouverts (téléphone)")
    domain = page.locator("details.facet").filter(has=page.locator("summary", has_text="Domaine"))
    box = domain.locator("input[type=checkbox]").first
    box.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "domaine=" in page.url
    assert "1 actif" in page.locator("summary", has_text="Filtres").inner_text()
    assert _box(page.locator(".results-list > li").first)["y"] < PHONE["height"]
    axe(page, context="après un filtre (téléphone)")
    toggle = page.locator("summary", has_text="Filtres")
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.facet").first.is_visible()
    page.keyboard.press("Enter")
    assert not page.locator("details.facet").first.is_visible()


def test_on_a_desktop_the_filters_stay_visible_as_a_sidebar(page, demo, axe):
    page.set_viewport_size(DESKTOP)
    page.goto("/recherche/")
    assert not page.locator("summary", has_text="Filtres").is_visible()
    filters = _box(page.locator(".search-filters__panel"))
    results = _box(page.locator(".search-results"))
    assert filters["x"] + filters["width"] <= results["x"]  # side by side
    assert abs(filters["y"] - results["y"]) < 40
    assert page.locator("details.facet").first.is_visible()
    axe(page)


def test_filters_and_menu_work_without_javascript(browser, live_server, demo, page, axe):
    context = _no_js(browser, live_server, PHONE)
    tab = context.new_page()
    tab.goto("/recherche/")
    assert _box(tab.locator(".results-list > li").first)["y"] < PHONE["height"]
    assert not tab.locator("details.facet").first.is_visible()
    tab.locator("summary", has_text="Filtres").click()
    domain = tab.locator("details.facet").filter(has=tab.locator("summary", has_text="Domaine"))
    domain.locator("input[type=checkbox]").first.check()
    tab.get_by_role("button", name="Appliquer les filtres").click()
    tab.wait_for_url("**domaine=*")
    filtered = tab.url
    assert tab.locator(".results-list > li").count() > 0
    # The header's menu is a <details> too.
    assert not tab.get_by_role("link", name="Projets", exact=True).is_visible()
    tab.locator("summary", has_text="Menu").click()
    assert tab.get_by_role("link", name="Projets", exact=True).is_visible()
    assert tab.get_by_label("Rechercher un projet, un thème, un territoire").count() == 0
    context.close()

    # A wide screen shows the filters and the menu even without JavaScript.
    context = _no_js(browser, live_server, DESKTOP)
    tab = context.new_page()
    tab.goto("/recherche/")
    assert tab.locator("details.facet").first.is_visible()
    assert tab.get_by_role("link", name="Projets", exact=True).is_visible()
    assert not tab.locator("summary", has_text="Menu").is_visible()
    context.close()

    page.set_viewport_size(PHONE)
    page.goto(filtered)
    axe(page, context="page filtrée sans JavaScript (vérifiée avec)")


# --- header and home page ------------------------------------------------------------------


def test_the_phone_header_is_compact_and_its_menu_works_with_the_keyboard(page, demo, axe):
    page.set_viewport_size(PHONE)
    page.goto("/")
    assert _box(page.locator(".site-header"))["height"] <= 120
    projects = page.get_by_role("link", name="Projets", exact=True)
    assert not projects.is_visible()
    axe(page)
    menu = page.locator("summary", has_text="Menu")
    # Tab order: the three skip links, the logo, then the menu button.
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert menu.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert projects.is_visible()
    assert page.get_by_role("link", name="Se connecter").is_visible()
    axe(page, context="menu ouvert (téléphone)")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.site-menu') !== null")
    page.keyboard.press("Escape")
    assert not projects.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # The header stays compact on the other pages too.
    for url in ("/recherche/", "/projets/", "/compte/signup/"):
        page.goto(url)
        assert _box(page.locator(".site-header"))["height"] <= 120, url
        axe(page)


def test_on_a_desktop_the_menu_lines_up_with_the_logo_and_the_content(page, demo, axe):
    page.set_viewport_size(DESKTOP)
    for url in ("/", "/recherche/"):
        page.goto(url)
        assert not page.locator("summary", has_text="Menu").is_visible()
        assert page.get_by_role("link", name="Projets", exact=True).is_visible()
        logo = _box(page.locator(".brand img"))["x"]
        assert logo > 60  # the content column, centred
        assert abs(_text_left(page, ".main-nav a") - logo) <= 2, url
        assert abs(_text_left(page, "main h1") - logo) <= 2, url
        # The footer's language list is as wide as its longest language, not the column.
        assert _box(page.locator("#language-select"))["width"] < 200
        axe(page)


def test_the_home_page_has_one_search_box_and_full_rows_of_cards(page, demo, axe):
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto("/")
        boxes = page.locator("input[type=search]")
        assert boxes.count() == 1
        search = page.get_by_label("Rechercher un projet, un thème, un territoire")
        assert search.is_visible()
        # The demo home is composed (issue 14): every section's grid is full rows.
        grids = page.locator(".card-grid")
        assert grids.count() >= 4
        for grid_index in range(grids.count()):
            cards = grids.nth(grid_index).locator(":scope > li")
            rows: dict[int, int] = {}
            for index in range(cards.count()):
                top = round(_box(cards.nth(index))["y"])
                rows[top] = rows.get(top, 0) + 1
            widths = set(rows.values())
            assert len(widths) == 1, f"rangées incomplètes : {rows}"  # no hole in the grid
            if viewport is DESKTOP and len(rows) > 1:
                assert widths == {3}
        assert page.locator("h1").count() == 1
        axe(page)
    # The skip link « Aller à la recherche » leads to the home page's search box.
    assert page.locator('a.skip-link[href="#recherche-rapide"]').count() == 1
    assert page.locator("#recherche-rapide").locator("#home-search-q").count() == 1


# --- the propose form --------------------------------------------------------------------


def test_the_propose_form_is_short_and_takes_a_second_place(page, demo, axe):
    page.set_viewport_size(DESKTOP)
    _login(page)
    page.goto("/mon-espace/projets/proposer/")
    form = page.locator("form.project-form")
    assert _box(form)["height"] <= 3000
    # Themes folded by domain, one place, its coordinates folded.
    domains = page.locator("details.checkbox-group")
    assert domains.count() > 10
    assert page.locator("details.checkbox-group[open]").count() == 0
    assert page.locator("input[name$='-territory']").count() == 1
    assert not page.get_by_label("Latitude").is_visible()
    assert page.locator("summary", has_text="Coordonnées précises (facultatif)").is_visible()
    axe(page)

    page.get_by_label("Nom du projet").fill("La Ressourcerie des deux rives")
    page.get_by_label("Résumé").fill("Une ressourcerie qui donne une seconde vie aux objets.")
    page.locator("summary", has_text="Environnement et transition écologique").click()
    theme = page.locator("details.checkbox-group[open] input[type=checkbox]").first
    theme.check()
    commune = page.get_by_label("Commune, département ou région").first
    commune.fill("Guér")
    page.get_by_role("option", name="Guéret (23)").click()
    page.get_by_role("button", name="Ajouter un lieu").click()
    page.wait_for_url("**#lieu-2")

    # Shown again as typed, with a second empty place, and no error message.
    assert page.locator(".error-summary").count() == 0
    assert page.get_by_label("Nom du projet").input_value() == "La Ressourcerie des deux rives"
    assert page.locator("details.checkbox-group[open]").count() == 1
    assert page.locator("details.checkbox-group[open] input:checked").count() == 1
    places = page.locator("input[name$='-territory']")
    assert places.count() == 2
    assert places.nth(0).input_value() == "Guéret (23)"
    assert _box(page.locator("#lieu-2"))["y"] < DESKTOP["height"]  # scrolled to it
    axe(page, context="formulaire avec un second lieu")
    places.nth(1).fill("Creus")
    page.get_by_role("option", name="Creuse").first.click()
    # Precise coordinates stay possible, unfolded on demand.
    second = page.locator("#lieu-2")
    second.locator("summary", has_text="Coordonnées précises (facultatif)").click()
    second.get_by_label("Latitude").fill("46.17")
    second.get_by_label("Longitude").fill("1.87")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url("**/mon-espace/projets/")
    axe(page)
    project = ProjectPage.objects.get(title="La Ressourcerie des deux rives")
    places = project.get_latest_revision_as_object().locations.all()
    assert sorted(place.territory.name for place in places) == ["Creuse", "Guéret"]
    assert [(p.latitude, p.longitude) for p in places if p.territory.name == "Creuse"] == [
        (46.17, 1.87)
    ]


def test_the_propose_and_profile_forms_on_a_phone(page, demo, axe):
    page.set_viewport_size(PHONE)
    _login(page)
    page.goto("/mon-espace/projets/proposer/")
    assert page.locator("details.checkbox-group[open]").count() == 0
    assert not page.get_by_label("Latitude").is_visible()
    axe(page)
    page.goto("/mon-espace/profil/")
    assert page.locator("option", has_text="---------").count() == 0
    axe(page)
