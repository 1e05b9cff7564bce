"""Loading the official geographic code into Territory rows.

Régions and départements come from CSV files shipped with the project
(innovations/data/territories/, their population included: the sum of their
communes', see the README there); communes from the npm package
@etalab/decoupage-administratif (INSEE Code officiel géographique, Licence
Ouverte) that `make run` installs. Loading is an upsert: running it again
changes nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.text import fold

from .models import Territory, TerritoryLevel

DATA_DIR = Path(__file__).resolve().parent / "data" / "territories"


def default_communes_file() -> Path:
    """The npm package's communes.json (settings.TERRITORIES_COMMUNES_FILE)."""
    return Path(settings.TERRITORIES_COMMUNES_FILE)


# Current communes, and the municipal arrondissements of Paris, Lyon and Marseille
# (partners often locate projects in them).
COMMUNE_TYPES = {"commune-actuelle", "arrondissement-municipal"}
BATCH = 2000


class TerritoryDataError(ValueError):
    """The territory file is missing, truncated or not in the expected format."""


@dataclass
class LoadReport:
    regions: int = 0
    departements: int = 0
    communes: int = 0
    skipped: int = 0


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def _upsert(rows: list[Territory]) -> None:
    for start in range(0, len(rows), BATCH):
        Territory.objects.bulk_create(
            rows[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["level", "code"],
            update_fields=[
                "name",
                "search_name",
                "parent",
                "region_code",
                "departement_code",
                "postal_codes",
                "population",
                "latitude",
                "longitude",
            ],
        )


def _load_regions_and_departements() -> tuple[int, int]:
    regions = [
        Territory(
            level=TerritoryLevel.REGION,
            code=row["code"],
            name=row["name"],
            search_name=fold(row["name"]),
            region_code=row["code"],
            population=_int(row.get("population")),
            latitude=_float(row["latitude"]),
            longitude=_float(row["longitude"]),
        )
        for row in _read_csv(DATA_DIR / "regions.csv")
    ]
    _upsert(regions)
    region_ids = dict(
        Territory.objects.filter(level=TerritoryLevel.REGION).values_list("code", "id")
    )
    departements = [
        Territory(
            level=TerritoryLevel.DEPARTEMENT,
            code=row["code"],
            name=row["name"],
            search_name=fold(row["name"]),
            parent_id=region_ids[row["region_code"]],
            region_code=row["region_code"],
            departement_code=row["code"],
            population=_int(row.get("population")),
            latitude=_float(row["latitude"]),
            longitude=_float(row["longitude"]),
        )
        for row in _read_csv(DATA_DIR / "departements.csv")
    ]
    _upsert(departements)
    return len(regions), len(departements)


def _read_communes(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TerritoryDataError(f"Fichier des communes illisible ({path}) : {exc}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise TerritoryDataError(f"{path} n'est pas une liste de communes.")
    return data


def _read_coordinates(path: Path | None) -> dict[str, tuple[float, float]]:
    if path is None or not path.exists():
        return {}
    return {
        row["code"]: (float(row["latitude"]), float(row["longitude"])) for row in _read_csv(path)
    }


def _commune_rows(
    records: Iterable[dict],
    departement_ids: dict[str, int],
    coordinates: dict[str, tuple[float, float]],
    existing_points: dict[str, tuple[float | None, float | None]],
) -> tuple[list[Territory], int]:
    rows, skipped = [], 0
    for record in records:
        if record.get("type") not in COMMUNE_TYPES:
            continue
        code, departement = record.get("code"), record.get("departement")
        if not code or not record.get("nom") or departement not in departement_ids:
            skipped += 1
            continue
        # Keep coordinates learnt earlier (geocoding, imports) when the file has none.
        latitude, longitude = coordinates.get(code) or existing_points.get(code) or (None, None)
        rows.append(
            Territory(
                level=TerritoryLevel.COMMUNE,
                code=code,
                name=record["nom"],
                search_name=fold(record["nom"]),
                parent_id=departement_ids[departement],
                region_code=record.get("region", ""),
                departement_code=departement,
                postal_codes=" ".join(record.get("codesPostaux") or [])[:400],
                population=record.get("population"),
                latitude=latitude,
                longitude=longitude,
            )
        )
    return rows, skipped


def territories_load(
    *,
    communes_path: Path | None = None,
    coordinates_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Load régions and départements, and communes when ``communes_path`` is given.

    All or nothing: a bad communes file leaves the table as it was.
    """
    records = _read_communes(communes_path) if communes_path else []
    coordinates = _read_coordinates(coordinates_path)
    report = LoadReport()
    with transaction.atomic():
        report.regions, report.departements = _load_regions_and_departements()
        if records:
            departement_ids = dict(
                Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).values_list("code", "id")
            )
            existing_points = {
                code: (lat, lon)
                for code, lat, lon in Territory.objects.filter(
                    level=TerritoryLevel.COMMUNE, latitude__isnull=False
                ).values_list("code", "latitude", "longitude")
            }
            rows, report.skipped = _commune_rows(
                records, departement_ids, coordinates, existing_points
            )
            for start in range(0, len(rows), BATCH):
                _upsert(rows[start : start + BATCH])
                if progress:
                    progress(min(start + BATCH, len(rows)), len(rows))
            report.communes = len(rows)
    return report
