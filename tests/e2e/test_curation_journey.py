"""Editors curate, in a real browser (issue 14, « Done when »): an editor features a
project on the home page with a reason, through the selection the home page shows,
and schedules it to end tomorrow; publishes a dossier with a saved search; a visitor
sees both. A member saves a search, a new matching project is published,
``send_alerts`` sends one e-mail with it, and its unsubscribe link works without
logging in. The home, a dossier, a partner page, a territory page and the statistics
page are checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cms.models import HomePage
from curation.models import DossierPage, Selection
from innovations.models import ProjectSourceRecord, Source
from search.indexing import reindex
from search.models import SavedSearch
from tests.e2e.community_pages import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def visit(page, axe) -> Visit:
    page.set_viewport_size({"width": 1280, "height": 800})
    return Visit(page, axe)


@pytest.fixture
def home_with_selection(site_pages, editor):
    """The home page shows the « À la une » selection (as the demo's does), empty."""
    selection = Selection.objects.create(name="À la une")
    home = HomePage.objects.get()
    home.body = json.dumps(
        [
            {"type": "hero", "value": {"title": "", "text": "Trouvez et essaimez."}},
            {
                "type": "selection",
                "value": {"heading": "À la une", "intro": "", "selection": selection.pk},
            },
            {"type": "figures", "value": {"heading": "Le Carrefour en chiffres"}},
            {"type": "map", "value": {"heading": "Qui agit où", "text": ""}},
        ]
    )
    home.save_revision(user=editor).publish(user=editor)
    return selection


def _choose_page(page, title: str) -> None:
    modal = page.locator(".modal-dialog")
    search = modal.get_by_role("textbox").first
    with page.expect_response(lambda r: "choose-page" in r.url and "q=" in r.url):
        search.fill(title.split()[-1])
    modal.get_by_role("link", name=title).first.click()
    modal.wait_for(state="hidden")


def _publish_from_footer(page) -> None:
    page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").first.click()
    page.get_by_role("button", name="Publier").click()


def test_editor_curates_and_visitors_and_members_see_it(
    visit, home_with_selection, make_project, editor, user, password
):
    page = visit.page
    bus = make_project(title="Le Bus des droits")
    make_project(title="La Recyclerie du Val", themes=["environnement.economie-circulaire"])
    source = Source.objects.create(
        name="Réseau des tiers-lieux", slug="reseau-tiers-lieux", description="Réseau national."
    )
    ProjectSourceRecord.objects.create(source=source, source_identifier="A1", project=bus)
    reindex(kinds=["project", "page"])

    # 1. The editor features the project in « À la une », with a reason, until tomorrow.
    visit.login(editor, password)
    visit(f"/admin/snippets/curation/selection/edit/{home_with_selection.pk}/")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.locator("#id_ends_at").fill(tomorrow.strftime("%Y-%m-%d %H:%M"))
    page.get_by_role("button", name=re.compile("Ajouter.*choix", re.I)).click()
    page.locator("#id_items-0-page-chooser .chooser__choose-button").click()
    _choose_page(page, "Le Bus des droits")
    page.locator("#id_items-0-reason").fill("Un modèle d'aller-vers déjà repris ailleurs.")
    visit.check("sélection remplie")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_url("**/admin/snippets/curation/selection/**")
    selection = Selection.objects.get(pk=home_with_selection.pk)
    assert [item.page_id for item in selection.items.all()] == [bus.pk]
    # Both in the site's time zone: from 23:00 UTC, Paris is already the next day.
    assert timezone.localtime(selection.ends_at).date() == tomorrow.date()

    # 2. The editor publishes a dossier with a saved search.
    home = HomePage.objects.get()
    visit(f"/admin/pages/add/curation/dossierpage/{home.pk}/")
    page.locator("#id_title").fill("Tiers-lieux et recycleries")
    page.locator("#id_intro").fill("Ce qui se fait autour du réemploi.")
    page.locator("#id_search_params").fill("q=recyclerie")
    page.get_by_role("tab", name=re.compile("Promotion", re.I)).click()
    page.locator("#id_slug").fill("tiers-lieux-et-recycleries")
    page.get_by_role("tab", name=re.compile("Contenu", re.I)).click()
    _publish_from_footer(page)
    page.wait_for_url(re.compile(r"/admin/pages/\d+/"))
    dossier = DossierPage.objects.get(slug="tiers-lieux-et-recycleries")
    assert dossier.live

    # 3. A visitor sees both.
    visit.logout()
    visit("/", context="accueil composé")
    featured = page.locator(".selection")
    assert "Le Bus des droits" in featured.inner_text()
    assert "Un modèle d'aller-vers déjà repris ailleurs." in featured.inner_text()
    assert page.get_by_role("search").count() == 1
    visit("/tiers-lieux-et-recycleries/", context="dossier")
    assert "La Recyclerie du Val" in page.locator("main").inner_text()
    assert "Le Bus des droits" not in page.locator("main").inner_text()
    visit("/partenaires/reseau-tiers-lieux/", context="page partenaire")
    assert "Le Bus des droits" in page.locator("main").inner_text()
    visit("/territoires/departement/23/", context="page territoire")
    assert page.get_by_role("heading", level=1).inner_text() == "Creuse (23)"
    visit("/statistiques/", context="statistiques")
    assert page.locator("canvas[data-chart='domaines']").is_visible()  # drawn by Chart.js
    assert page.locator(".choropleth svg").count() == 2
    creuse = page.get_by_role("link", name="Creuse : 2 projets")
    creuse.first.focus()
    assert creuse.first.evaluate("el => el === document.activeElement")

    # 4. A member saves a search; a new matching project is published; one e-mail.
    visit.login(user, password)
    visit("/recherche/?q=jardin")
    page.get_by_role("link", name="Enregistrer cette recherche").click()
    visit.check("enregistrer la recherche")
    page.get_by_label("Nom de la recherche").fill("Jardins partagés")
    page.get_by_label("Chaque jour").check()
    page.get_by_role("button", name="Enregistrer la recherche").click()
    page.wait_for_url("**/recherche/mes-recherches/")
    visit.check("mes recherches")
    assert "Jardins partagés" in page.locator("main").inner_text()
    saved = SavedSearch.objects.get(user=user)
    make_project(title="Le Jardin des Trois Cités")
    reindex(kinds=["project"])
    mail.outbox.clear()
    call_command("send_alerts", search=[saved.pk])
    call_command("send_alerts", search=[saved.pk])  # a second run sends nothing twice
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Le Jardin des Trois Cités" in body and "Bus" not in body

    # 5. The unsubscribe link works without logging in.
    link = re.search(r"https?://\S+/recherche/alertes/desabonnement/\S+/", body).group(0)
    visit.logout()
    visit(re.sub(r"^https?://[^/]+", "", link), context="désabonnement")
    page.get_by_role("button", name="Arrêter les alertes").click()
    assert "C'est fait" in page.locator("main").inner_text()
    saved.refresh_from_db()
    assert saved.frequency == "never"
