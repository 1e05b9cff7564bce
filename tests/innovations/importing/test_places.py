"""Places of imported projects: région-only places, national scope without a
commune, namesake communes, organisations acting abroad, and points that disagree
with their postal code."""

from __future__ import annotations

import pytest

from innovations.models import ProjectPage, RunStatus, Source, Territory, TerritoryLevel, Trust
from innovations.services.imports import import_file

pytestmark = pytest.mark.django_db

HEADER = "id;nom;cp;commune;departement;region;lat;lon;echelle\n"
MAPPING = {
    "key": ["id"],
    "fields": {"title": "nom", "scale": "echelle"},
    "location": {
        "postal_code": "cp",
        "commune": "commune",
        "departement": "departement",
        "region": "region",
        "latitude": "lat",
        "longitude": "lon",
    },
}


def line(key, title, *, cp="", commune="", dep="", region="", lat="", lon="", scale=""):
    return f"{key};{title};{cp};{commune};{dep};{region};{lat};{lon};{scale}\n"


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT, mapping=MAPPING
    )


@pytest.fixture
def montreuils(territories):
    """Montreuil (Seine-Saint-Denis) and Montreuil (Pas-de-Calais)."""
    for code, dep, postcode in (("93048", "93", "93100"), ("62588", "62", "62170")):
        departement = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code=dep)
        Territory.objects.create(
            level=TerritoryLevel.COMMUNE,
            code=code,
            name="Montreuil",
            parent=departement,
            departement_code=dep,
            region_code=departement.region_code,
            postal_codes=postcode,
        )


@pytest.fixture
def run(source, editor, tmp_path):
    def run(text: str):
        path = tmp_path / "export.csv"
        path.write_text(HEADER + text, encoding="utf-8")
        result = import_file(source=source, path=path, user=editor)
        assert result.status == RunStatus.DONE, result.message
        return result

    return run


def place(key: str):
    project = ProjectPage.objects.get(source_records__source_identifier=key)
    return project.locations.get() if project.locations.exists() else None


def reasons(result, severity: str) -> dict:
    return {(e.row, e.field): e.reason for e in result.row_errors.filter(severity=severity)}


def test_a_region_only_place(run):
    result = run(line("1", "Réseau breton", region="Bretagne") + line("2", "Autre", region="53"))
    assert result.created == 2
    assert place("1").territory.level == TerritoryLevel.REGION
    assert place("1").territory.code == "53" == place("2").territory.code


def test_a_national_project_needs_no_commune(run):
    result = run(line("1", "Réseau national", scale="national") + line("2", "Sans lieu"))
    assert result.created == 1
    assert place("1") is None
    assert reasons(result, "error") == {
        (3, "lieu"): "lieu manquant (commune, département ou coordonnées)"
    }


def test_namesake_communes_are_told_apart_by_departement_or_postal_code(run, montreuils):
    result = run(
        line("1", "Café de Montreuil", commune="Montreuil", dep="93")
        + line("2", "Atelier côtier", commune="Montreuil", cp="62170")
        + line("3", "Sans précision", commune="Montreuil")
    )
    assert (place("1").territory.code, place("2").territory.code) == ("93048", "62588")
    assert reasons(result, "error") == {
        (4, "commune"): (
            "commune homonyme « Montreuil » : Montreuil (62), Montreuil (93) — ajoutez le "
            "département ou le code postal"
        )
    }


def test_an_organisation_acting_abroad_is_kept_on_its_french_territory(run):
    # Coordinates in Dakar, postal code and commune in Brest.
    result = run(
        line(
            "1",
            "Solidarité Bretagne-Sénégal",
            cp="29200",
            commune="Brest",
            lat="14,69",
            lon="-17,44",
        )
    )
    assert (result.created, result.rejected) == (1, 0)
    location = place("1")
    assert location.territory.code == "29019"
    assert (location.latitude, location.longitude) == (None, None)
    warning = reasons(result, "warning")[(2, "coordonnées")]
    assert warning.startswith("coordonnées à l'étranger (14.69, -17.44) : point non gardé")
    assert "Brest (29)" in warning


def test_a_point_elsewhere_than_its_postal_code_keeps_the_postal_codes_territory(run):
    # Postal code in the Var, commune name and point in Marseille (Bouches-du-Rhône).
    result = run(line("1", "Tiers-lieu", cp="83000", commune="Marseille", lat="43,30", lon="5,37"))
    assert result.created == 1
    location = place("1")
    assert (location.territory.level, location.territory.code) == (
        TerritoryLevel.DEPARTEMENT,
        "83",
    )
    assert location.latitude is None  # shown on its territory, not in Marseille
    warnings = reasons(result, "warning")
    assert "lieu placé dans Var" in warnings[(2, "commune")]
    assert "vérifiez les coordonnées" in warnings[(2, "coordonnées")]
