"""Only editors curate: the home page, dossiers and selections are theirs; the
editors' panel on the admin home."""

from __future__ import annotations

import json

import pytest

from cms.models import HomePage

pytestmark = pytest.mark.django_db


def test_a_moderator_cannot_edit_the_home_page_an_editor_can(client, home_page, moderator, editor):
    url = f"/admin/pages/{home_page.pk}/edit/"
    client.force_login(moderator)
    # Wagtail turns the refusal into a redirect to the admin home, with the message.
    refused = client.get(url, follow=True)
    assert refused.redirect_chain[-1][0] == "/admin/"
    assert "Seuls les éditeurs composent la page d" in refused.content.decode()
    assert client.post(url, {"title": "Piraté"}).status_code in (302, 403)
    assert HomePage.objects.get().title != "Piraté"
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_selections_are_for_editors_only(client, moderator, editor):
    client.force_login(moderator)
    assert client.get("/admin/snippets/curation/selection/").status_code in (302, 403)
    client.force_login(editor)
    assert client.get("/admin/snippets/curation/selection/").status_code == 200
    assert client.get("/admin/snippets/curation/selection/add/").status_code == 200


def test_a_moderator_cannot_create_a_dossier(client, home_page, moderator):
    client.force_login(moderator)
    response = client.get(f"/admin/pages/add/curation/dossierpage/{home_page.pk}/")
    assert response.status_code in (302, 403)


def test_the_editors_panel_on_the_admin_home(client, editor, moderator):
    from search.models import SearchQueryDay

    SearchQueryDay.objects.create(
        day=__import__("datetime").date.today(), query="tiers lieux", searches=4, zero_results=4
    )
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Tableau de bord de la rédaction" in html
    assert "« tiers lieux » : 4" in html
    client.force_login(moderator)
    assert "Tableau de bord de la rédaction" not in client.get("/admin/").content.decode()


def test_the_composed_home_shows_its_blocks_and_one_search_box(
    client, make_project, indexed, home_page, editor
):
    from curation.models import Selection, SelectionItem

    project = make_project(title="Le Bus des droits")
    indexed()
    selection = Selection.objects.create(name="À la une")
    SelectionItem.objects.create(selection=selection, page=project, reason="Déjà repris ailleurs")
    home = HomePage.objects.get()
    home.body = json.dumps(
        [
            {"type": "hero", "value": {"title": "", "text": "Bienvenue"}},
            {
                "type": "selection",
                "value": {"heading": "À la une", "intro": "", "selection": selection.pk},
            },
            {"type": "figures", "value": {"heading": "En chiffres"}},
            {"type": "map", "value": {"heading": "Qui agit où", "text": ""}},
            {
                "type": "propose",
                "value": {"heading": "Un projet ?", "text": "", "button": "Proposer"},
            },
        ]
    )
    home.save_revision(user=editor).publish(user=editor)
    html = client.get("/").content.decode()
    assert html.count('role="search"') == 1
    assert "Déjà repris ailleurs" in html and "Le Bus des droits" in html
    assert "projets à découvrir" in html
    assert "<svg" in html  # the map teaser
    assert html.count("<h1") == 1


def test_latest_articles_leave_out_the_site_s_own_pages(client, site_pages, indexed, editor):
    from cms.models import EditorialPage

    article = EditorialPage(title="Essaimer un tiers-lieu", slug="essaimer-un-tiers-lieu")
    site_pages.add_child(instance=article)
    article.save_revision(user=editor).publish(user=editor)
    indexed()
    home = HomePage.objects.get()
    home.body = json.dumps(
        [{"type": "latest", "value": {"heading": "Articles", "content": "editorial", "count": 3}}]
    )
    home.save_revision(user=editor).publish(user=editor)
    section = client.get("/").content.decode().split('id="section-articles-title"')[1]
    assert "Essaimer un tiers-lieu" in section
    assert "Mentions légales" not in section.split("</section>")[0]
