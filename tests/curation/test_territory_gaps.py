"""Territorial gaps (issue 16): populations of départements and régions, « Qui agit
ici » by theme domain, and projects per 100,000 inhabitants as a map, a table and
a CSV — counted from the anonymous search, so hidden projects never count."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re

import pytest

pytestmark = pytest.mark.django_db

CREUSE = 115_527  # innovations/data/territories/departements.csv
CORREZE_COMMUNE = "19272"  # Tulle, Corrèze (19), Nouvelle-Aquitaine


@pytest.fixture
def acting(make_project, restrict, indexed):
    """In Creuse: 3 visible digital projects and 1 employment one, plus a draft, a
    restricted page and one whose themes its source keeps for partners (all three
    digital); in Corrèze, 1 visible digital project."""
    from innovations.models import Openness, ProjectSourceRecord, Source

    for n in range(3):
        make_project(title=f"Numérique visible {n}")
    make_project(title="Chantier d'insertion", themes=["emploi-insertion.iae"])
    make_project(title="Numérique en brouillon", live=False)
    restrict(make_project(title="Numérique réservé"))
    private = make_project(title="Numérique aux thèmes réservés")
    source = Source.objects.create(
        name="Réseau discret", slug="discret", field_openness={"themes": Openness.PARTNERS}
    )
    ProjectSourceRecord.objects.create(source=source, source_identifier="D1", project=private)
    make_project(title="Numérique en Corrèze", commune=CORREZE_COMMUNE)
    indexed()


def _api_count(client, **params) -> int:
    response = client.get("/api/v1/search", {"type": "project", "par_page": 1, **params})
    assert response.status_code == 200
    return response.json()["count"]


def _section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def _rows(section: str) -> dict[str, list[str]]:
    """The table's rows: first cell's text → the other cells' texts."""
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S):
        cells = [
            htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).replace("\xa0", " ").strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_departements_and_regions_carry_their_population(territories):
    from innovations.models import Territory, TerritoryLevel

    departements = Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT)
    regions = Territory.objects.filter(level=TerritoryLevel.REGION)
    assert departements.count() == 101 and regions.count() == 18
    assert not departements.filter(population__isnull=True).exists()
    assert not regions.filter(population__isnull=True).exists()
    assert departements.get(code="23").population == CREUSE
    assert departements.get(code="75").population == 2_103_778  # Paris
    # Each région is the sum of its départements (both summed from the same communes).
    for region in regions:
        total = sum(
            departements.filter(region_code=region.code).values_list("population", flat=True)
        )
        assert region.population == total, region.name
    assert 68_000_000 < sum(departements.values_list("population", flat=True)) < 69_000_000


def test_reloading_the_territories_keeps_the_populations(territories):
    from innovations.models import Territory, TerritoryLevel
    from innovations.territories import territories_load

    territories_load()  # régions and départements only, again
    assert Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="23").population == CREUSE


def test_who_acts_here_counts_only_what_anyone_may_see(client, acting):
    html = client.get("/territoires/departement/23/").content.decode()
    section = _section(html, "qui-agit-ici")
    assert "Qui agit ici" in section
    rows = _rows(section)
    assert rows["Numérique"][0] == "3"
    assert rows["Emploi et insertion"][0] == "1"
    assert rows["Mobilité"][0] == "0"  # every domain is listed: a gap shows
    assert _api_count(client, departement="23", domaine="numerique") == 3
    assert 'href="/recherche/?type=project&amp;domaine=numerique&amp;departement=23"' in section
    assert 'href="/themes/numerique/"' in section
    assert "Numérique en brouillon" not in html and "Numérique réservé" not in html
    # The project whose themes are kept for partners is listed, but in no domain.
    assert "Numérique aux thèmes réservés" in html
    # Per 100,000 inhabitants in the domain table too: 3 × 100,000 / 115,527.
    assert rows["Numérique"][1] == "2,6"


def test_who_acts_on_a_region_page(client, acting):
    rows = _rows(_section(client.get("/territoires/region/75/").content.decode(), "qui-agit-ici"))
    assert rows["Numérique"][0] == "4"  # Creuse and Corrèze
    assert _api_count(client, region="75", domaine="numerique") == 4


def test_gaps_on_a_departement_page_compare_every_departement(client, acting):
    from innovations.models import Territory, TerritoryLevel

    html = client.get("/territoires/departement/23/").content.decode()
    section = _section(html, "manques")
    rows = _rows(section)
    correze = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="19").population
    assert len([name for name in rows if re.search(r"\(\w{2,3}\)", name)]) == 101
    assert rows["Creuse (23) (ce département)"] == ["3", "115 527", "2,6"]
    assert correze == 240_826
    correze_rate = "0,42"  # 100,000 / 240,826: below one, two decimals
    assert rows["Corrèze (19)"] == ["1", f"{correze:,}".replace(",", " "), correze_rate]
    assert rows["Paris (75)"] == ["0", "2 103 778", "0"]
    assert "Numérique, Creuse : 2,6 projets pour 100 000 habitants (3 projets)." in section
    assert "Numérique, France entière : &lt; 0,01 projets pour 100 000 habitants (4 projets)." in (
        section
    )
    assert "Le tableau des 101 départements" in section  # folded under the map
    # Default domain: the département's most represented one, chosen in the select.
    assert re.search(r'<option value="numerique" selected>', section)
    # The map: an SVG link per département, named with its figure; Creuse outlined.
    assert 'aria-label="Creuse : 2,6 pour 100 000 habitants (3 projets)"' in section
    assert re.search(
        r'aria-label="Creuse : [^"]+" class="choropleth__link" aria-current="true"', section
    )
    assert 'href="/territoires/departement/19/?domaine=numerique#manques"' in section
    assert 'href="/territoires/departement/23/manques.csv?domaine=numerique"' in section


def test_gaps_on_a_region_page_show_its_departements(client, acting):
    section = _section(client.get("/territoires/region/75/").content.decode(), "manques")
    rows = _rows(section)
    names = [name for name in rows if re.search(r"\(\d{2}\)$", name)]
    assert len(names) == 12  # Nouvelle-Aquitaine's départements, and none other
    assert "Paris (75)" not in rows
    assert rows["Creuse (23)"][0] == "3"
    # The other départements are drawn for context, without link or figure.
    assert "choropleth__area--outside" in section
    assert 'href="/territoires/departement/75/' not in section
    assert "Outre-mer en encadrés" not in section
    assert "Numérique, Nouvelle-Aquitaine : 0,07 projets pour 100 000 habitants" in section
    assert "<details" not in section  # a région's table is short: shown


def test_the_domain_is_chosen_with_a_get_form(client, acting):
    html = client.get("/territoires/departement/23/", {"domaine": "emploi-insertion"}).content
    section = _section(html.decode(), "manques")
    assert '<form method="get" action="#manques"' in section
    assert re.search(r'<label class="field__label" for="id_domaine">Domaine', section)
    assert '<button type="submit"' in section
    assert '<option value="emploi-insertion" selected>' in section
    # Below one, two decimals: 100,000 / 115,527.
    assert _rows(section)["Creuse (23) (ce département)"] == ["1", "115 527", "0,87"]


def test_an_unknown_domain_is_refused_in_french_and_the_default_shown(client, acting):
    response = client.get("/territoires/departement/23/", {"domaine": "<script>zzz"})
    assert response.status_code == 200
    section = _section(response.content.decode(), "manques")
    assert (
        "Domaine inconnu : « &lt;script&gt;zzz ». Choisissez un domaine dans la liste." in section
    )
    assert "<script>zzz" not in section
    assert _rows(section)["Creuse (23) (ce département)"][0] == "3"  # Numérique, the default
    assert '<option value="numerique" selected>' in section  # shown chosen, with the error


def test_the_gaps_table_downloads_as_safe_csv(client, acting):
    from innovations.models import Territory, TerritoryLevel

    Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT, code="19").update(
        name='=HYPERLINK("http://example.invalid")'
    )
    response = client.get("/territoires/departement/23/manques.csv", {"domaine": "numerique"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="manques-departement-23-numerique.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "Code",
        "Département",
        "Projets (Numérique)",
        "Population",
        "Projets pour 100 000 habitants",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert len(by_code) == 101
    assert by_code["23"] == ["23", "Creuse", "3", "115527", "2.5968"]
    assert by_code["75"][2:] == ["0", "2103778", "0.0"]
    assert by_code["19"][1] == '\'=HYPERLINK("http://example.invalid")'  # neutralised
    assert sum(int(row[2]) for row in rows[1:]) == _api_count(client, domaine="numerique") == 4


def test_the_gaps_csv_of_a_region_and_its_default_domain(client, acting):
    rows = _csv(client.get("/territoires/region/75/manques.csv"))
    assert rows[0][2] == "Projets (Numérique)"  # the most represented domain
    assert len(rows) == 13


def test_a_bad_domain_in_the_csv_is_a_french_400(client, acting):
    response = client.get("/territoires/departement/23/manques.csv", {"domaine": "zzz"})
    assert response.status_code == 400
    assert "Domaine inconnu" in response.content.decode()
    assert client.get("/territoires/departement/99/manques.csv").status_code == 404
    assert client.get("/territoires/commune/23096/manques.csv").status_code == 404


def test_a_domain_page_shows_its_gaps_france_wide(client, acting):
    section = _section(client.get("/themes/numerique/").content.decode(), "manques")
    rows = _rows(section)
    assert rows["Creuse (23)"] == ["3", "115 527", "2,6"]
    assert "<form" not in section  # the domain is the page's
    assert 'href="/themes/numerique/manques.csv"' in section
    rows = _csv(client.get("/themes/numerique/manques.csv"))
    assert {row[0]: row for row in rows[1:]}["23"][2] == "3"
    assert client.get("/themes/numerique-inclusion-numerique/manques.csv").status_code == 404


def test_rates_without_population_are_left_blank(client, acting):
    from innovations.models import Territory, TerritoryLevel

    Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT, code="23").update(population=None)
    rows = _csv(client.get("/territoires/departement/23/manques.csv", {"domaine": "numerique"}))
    assert {row[0]: row for row in rows[1:]}["23"][3:] == ["", ""]
    section = _section(client.get("/territoires/departement/23/").content.decode(), "manques")
    assert "Creuse : 3 projets (population inconnue)" in section


def test_an_overseas_region_has_its_table_without_a_map(client, acting):
    section = _section(client.get("/territoires/region/04/").content.decode(), "manques")
    assert "<svg" not in section  # France's map would show one inset: the table says it
    assert _rows(section)["La Réunion (974)"][1] == "889 679"
