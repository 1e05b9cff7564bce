"""Loading the official geographic code (on the test fixture, never the network)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from innovations.models import Territory, TerritoryLevel
from innovations.territories import TerritoryDataError, territories_load
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

COMMUNES = FIXTURES / "territories" / "communes.json"
COORDINATES = FIXTURES / "territories" / "communes_coordinates.csv"


def test_regions_and_departements_load_with_centroids_and_parents():
    report = territories_load()
    assert (report.regions, report.departements, report.communes) == (18, 101, 0)
    creuse = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="23")
    assert creuse.name == "Creuse"
    assert creuse.parent.code == "75"  # Nouvelle-Aquitaine
    assert creuse.has_point
    assert Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="2A").name == "Corse-du-Sud"
    assert Territory.objects.get(level=TerritoryLevel.REGION, code="04").name == "La Réunion"


def test_communes_load_with_parents_postal_codes_and_known_coordinates():
    report = territories_load(communes_path=COMMUNES, coordinates_path=COORDINATES)
    expected = sum(
        1
        for c in json.loads(COMMUNES.read_text(encoding="utf-8"))
        if c["type"] in {"commune-actuelle", "arrondissement-municipal"}
    )
    assert report.communes == expected
    gueret = Territory.objects.get(level=TerritoryLevel.COMMUNE, code="23096")
    assert gueret.name == "Guéret"
    assert gueret.parent.code == "23"
    assert gueret.region_code == "75"
    assert "23000" in gueret.postal_codes.split()
    assert gueret.search_name == "gueret"
    assert gueret.has_point
    # Annecy-le-Vieux (74011) is a delegated commune of Annecy: not a current commune.
    assert not Territory.objects.filter(level=TerritoryLevel.COMMUNE, code="74011").exists()
    assert Territory.objects.filter(level=TerritoryLevel.COMMUNE, code="74010").exists()


def test_loading_twice_changes_nothing():
    territories_load(communes_path=COMMUNES, coordinates_path=COORDINATES)
    first = list(Territory.objects.order_by("level", "code").values())
    territories_load(communes_path=COMMUNES, coordinates_path=COORDINATES)
    assert list(Territory.objects.order_by("level", "code").values()) == first


def test_a_truncated_file_is_refused_and_nothing_changes(tmp_path):
    territories_load()
    before = Territory.objects.count()
    broken = tmp_path / "communes.json"
    broken.write_text(COMMUNES.read_text(encoding="utf-8")[:500], encoding="utf-8")
    with pytest.raises(TerritoryDataError):
        territories_load(communes_path=broken)
    assert Territory.objects.count() == before


def test_command_reports_counts_and_refuses_missing_files(tmp_path, capsys):
    call_command("load_territories", communes=COMMUNES, coordinates=COORDINATES, verbosity=0)
    out = capsys.readouterr().out
    assert "18 régions, 101 départements" in out
    with pytest.raises(CommandError, match="introuvable"):
        call_command("load_territories", communes=tmp_path / "absent.json")
