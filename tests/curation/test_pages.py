"""Partner, theme and territory pages: reachable, live, and hiding what is hidden."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(make_project, indexed):
    from innovations.models import ProjectSourceRecord, Source

    source = Source.objects.create(
        name="Réseau des tiers-lieux", slug="reseau-tiers-lieux", description="Un réseau national."
    )
    projects = [make_project(title=f"Tiers-lieu {n}") for n in range(2)]
    hidden = make_project(title="Tiers-lieu en brouillon", live=False)
    for n, project in enumerate([*projects, hidden]):
        ProjectSourceRecord.objects.create(
            source=source, source_identifier=f"T{n}", project=project
        )
    indexed()
    return source


def test_partner_index_and_page(client, partner):
    index = client.get("/partenaires/")
    assert index.status_code == 200
    assert 'href="/partenaires/reseau-tiers-lieux/"' in index.content.decode()
    page = client.get("/partenaires/reseau-tiers-lieux/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Un réseau national." in html
    assert "Tiers-lieu 0" in html and "brouillon" not in html
    assert "2 projets" in html


def test_partner_projects_are_searchable_from_its_page(client, partner):
    html = client.get(
        "/partenaires/reseau-tiers-lieux/", {"q": "zzzz introuvable"}
    ).content.decode()
    assert "0 projet" in html


def test_unknown_partner_is_404(client, db):
    assert client.get("/partenaires/personne/").status_code == 404


def test_theme_pages_for_domains_and_sub_themes(client, make_project, indexed):
    make_project(title="Bus numérique", themes=["numerique.inclusion-numerique"])
    indexed()
    domain = client.get("/themes/numerique/")
    assert domain.status_code == 200
    assert "Bus numérique" in domain.content.decode()
    assert 'href="/themes/numerique-inclusion-numerique/"' in domain.content.decode()
    sub = client.get("/themes/numerique-inclusion-numerique/")
    assert sub.status_code == 200 and "Bus numérique" in sub.content.decode()
    assert client.get("/themes/inconnu/").status_code == 404


def test_territory_pages_carry_the_level(client, make_project, indexed):
    make_project(title="Bus numérique")  # in Creuse (23), Nouvelle-Aquitaine (75)
    indexed()
    for url in ("/territoires/region/75/", "/territoires/departement/23/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Bus numérique" in response.content.decode()
    assert client.get("/territoires/departement/2A/").status_code == 200
    # 75 is a région code; the département 75 (Paris) is another page.
    assert "Paris" in client.get("/territoires/departement/75/").content.decode()
    assert client.get("/territoires/commune/23096/").status_code == 404
    assert client.get("/territoires/departement/99/").status_code == 404


def test_editor_introduction_and_picks_on_a_territory_page(client, make_project, indexed):
    from curation.models import Selection, SelectionItem, TopicIntroduction

    project = make_project(title="Bus numérique")
    indexed()
    selection = Selection.objects.create(name="Creuse")
    SelectionItem.objects.create(selection=selection, page=project, reason="Un modèle rural")
    TopicIntroduction.objects.create(
        kind="departement",
        code="23",
        intro="<p>La Creuse invente l'aller-vers.</p>",
        selection=selection,
    )
    html = client.get("/territoires/departement/23/").content.decode()
    assert "La Creuse invente l" in html
    assert "Un modèle rural" in html


def test_project_page_links_to_its_theme_and_territory_pages(client, make_project):
    project = make_project(title="Bus numérique")
    html = client.get(project.url).content.decode()
    assert 'href="/themes/numerique/"' in html
    assert 'href="/themes/numerique-inclusion-numerique/"' in html
    assert 'href="/territoires/departement/23/"' in html


def test_search_links_an_active_theme_filter_to_its_page(client, make_project, indexed):
    make_project(title="Bus numérique")
    indexed()
    html = client.get("/recherche/", {"domaine": "numerique"}).content.decode()
    assert 'href="/themes/numerique/"' in html
