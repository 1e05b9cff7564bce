"""Statistics and figures never reveal hidden content: they are the counts of the
anonymous search, compared here with what /recherche/ and the API answer."""

from __future__ import annotations

import csv
import io
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(make_project, restrict, indexed):
    from tests.factories import CommunityFactory

    visible = [make_project(title=f"Projet visible {n}") for n in range(3)]
    draft = make_project(title="Projet en brouillon", live=False)
    restricted = make_project(title="Projet réservé aux membres")
    restrict(restricted)
    CommunityFactory(name="Communauté publique")
    CommunityFactory(name="Communauté secrète", visibility="secret")
    indexed()
    return visible, draft, restricted


def _api_count(client, **params) -> int:
    response = client.get("/api/v1/search", {"type": "project", "par_page": 1, **params})
    assert response.status_code == 200
    return response.json()["count"]


def test_statistics_count_what_anonymous_search_finds(client, mixed):
    page = client.get("/statistiques/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _api_count(client) == 3
    assert re.search(
        r'key-figures__figure">3</strong> <span class="key-figures__label">projets', html
    )
    assert "Projet réservé" not in html and "Projet en brouillon" not in html
    # One public community, not the secret one.
    assert re.search(
        r'key-figures__figure">1</strong> <span class="key-figures__label">communautés', html
    )


def test_each_dataset_downloads_as_csv_with_the_same_counts(client, mixed):
    response = client.get("/statistiques/departements.csv")
    assert response.status_code == 200
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0] == ["Département", "Projets"]
    assert sum(int(count) for _label, count in rows[1:]) == _api_count(client) == 3
    assert rows[1][0] == "Creuse"


def test_the_map_is_svg_with_a_labelled_link_per_departement(client, mixed):
    html = client.get("/statistiques/").content.decode()
    assert "<svg" in html
    assert 'aria-label="Creuse : 3 projets"' in html
    assert 'href="/territoires/departement/23/"' in html
    # Overseas as insets, also links.
    assert 'href="/territoires/departement/974/"' in html


def test_home_key_figures_and_partner_counts_leave_hidden_projects_out(client, mixed, home_page):
    from curation.selectors.figures import key_figures, project_counts

    figures = {figure["label"]: figure["value"] for figure in key_figures()}
    assert figures["projets à découvrir"] == 3
    assert figures["communautés d'action"] == 1
    assert project_counts().total == _api_count(client)


def test_a_signed_in_member_does_not_change_the_public_statistics(client, mixed, user):
    client.force_login(user)
    # The member finds the restricted project in search…
    assert _api_count(client) == 4
    # …but the statistics stay those of everyone.
    html = client.get("/statistiques/").content.decode()
    assert re.search(
        r'key-figures__figure">3</strong> <span class="key-figures__label">projets', html
    )


def test_unknown_dataset_is_404(client, db):
    assert client.get("/statistiques/inconnu.csv").status_code == 404
