"""Where an imported project acts: territories (INSEE code, postal code, commune
name, département, région) and coordinates in every form partners use.

Rules (docs/mappings/README.md, « Lieux »):
- the postal code is French → its département holds the place: a commune name is
  looked up there, never in another département, and a point clearly elsewhere
  is dropped with a warning (the postal code's territory wins);
- namesake communes (Montreuil, Vitrolles…) are told apart by the postal code, the
  « departement » column, or the point; otherwise the row is an error « commune
  homonyme » naming the candidates;
- a point outside France with a French territory (organisations acting abroad):
  the project is kept on its French territory, the foreign point dropped with a
  warning (ProjectLocation refuses points outside France); a point outside France
  with nothing French is an error, unless the project acts nationally or beyond;
- an unknown commune falls back on its postal code's (or the given) département,
  with a warning.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from ..geo import in_france
from ..models import TerritoryLevel
from .coordinates import (
    CoordinateError,
    lambert93_to_wgs84,
    looks_like_lambert93,
    normalise_latlon,
    parse_number,
    parse_point,
)
from .mapping import MappedRecord
from .referential import Homonyms, Referential, departement_of, normal_postcode

__all__ = ["Referential", "resolve_location"]

# A point this far (km) from its commune's position is « elsewhere » when it also
# falls nearer another département's centre (the centres are approximate).
ELSEWHERE_KM = 20
CLEARLY_NEARER = 1.5  # times nearer another département's centre than its own


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    return str(value).strip()


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(h))


def _point(raw: dict, options: dict) -> tuple[float, float] | None:
    """The record's coordinates in degrees, or None; CoordinateError when unreadable."""
    if raw.get("point") not in (None, ""):
        order = options.get("point", {}).get("order", "auto")
        return parse_point(str(raw["point"]), order=order)
    if raw.get("x") not in (None, "") or raw.get("y") not in (None, ""):
        x, y = parse_number(raw.get("x")), parse_number(raw.get("y"))
        if x is None or y is None:
            raise CoordinateError(_("il faut x et y"))
        projection = options.get("x", {}).get("projection", "auto")
        if projection == "lambert93" or (projection == "auto" and looks_like_lambert93(x, y)):
            return lambert93_to_wgs84(x, y)
        return normalise_latlon(y, x, order="auto")
    if raw.get("latitude") not in (None, "") or raw.get("longitude") not in (None, ""):
        order = options.get("latitude", {}).get("order", "auto")
        return normalise_latlon(raw.get("latitude"), raw.get("longitude"), order=order)
    return None


def _candidates(homonyms: Homonyms) -> str:
    return ", ".join(
        f"{c['name']} ({c['departement_code']})"
        for c in sorted(homonyms.candidates, key=lambda c: c["departement_code"])
    )


def resolve_location(
    record: MappedRecord, ref: Referential, *, without_place_ok: bool = False
) -> dict[str, Any] | None:
    """Territory and coordinates of the record's place. Adds to ``record.errors``
    when the place cannot be known, to ``record.warnings`` for what was dropped or
    guessed. ``without_place_ok``: the project acts nationally or beyond, a missing
    or foreign place is no error."""
    raw = record.location
    if not any(v not in (None, "") for k, v in raw.items() if k != "_options"):
        return None
    errors, warnings = record.errors, record.warnings
    point = None
    try:
        point = _point(raw, raw.get("_options", {}))
    except CoordinateError as exc:
        coordinate_problem = str(exc)
    else:
        coordinate_problem = ""
    abroad = point is not None and not in_france(*point)
    near = point if point is not None and not abroad else None

    insee, postal_code, commune = (
        _text(raw.get("insee")),
        normal_postcode(_text(raw.get("postal_code"))),
        _text(raw.get("commune")),
    )
    departement_value, region_value = _text(raw.get("departement")), _text(raw.get("region"))
    departement = ref.departement(departement_value) if departement_value else None
    if departement_value and departement is None:
        errors.append(
            ("departement", _("département inconnu « %(v)s »") % {"v": departement_value})
        )
        return None
    postal_departement = None
    if postal_code[:2].isdigit() and len(postal_code) == 5:
        postal_departement = ref.departement(departement_of(postal_code))

    territory = None
    if insee or postal_code or commune:
        found = ref.commune(
            insee=insee, postal_code=postal_code, name=commune, departement=departement, near=near
        )
        described = " ".join(filter(None, [postal_code, commune, insee]))
        if isinstance(found, Homonyms):
            fallback = (
                departement
                or postal_departement
                or (ref.nearest_departement(*near) if near else None)
            )
            if fallback is None:
                errors.append(
                    (
                        "commune",
                        _(
                            "commune homonyme « %(name)s » : %(candidates)s — ajoutez le "
                            "département ou le code postal"
                        )
                        % {"name": commune, "candidates": _candidates(found)},
                    )
                )
                return None
            territory = fallback
            warnings.append(
                (
                    "commune",
                    _("commune homonyme « %(name)s » (%(candidates)s) : lieu placé dans %(t)s")
                    % {
                        "name": commune,
                        "candidates": _candidates(found),
                        "t": ref.label(f"{fallback['level']}:{fallback['code']}"),
                    },
                )
            )
        elif found is not None:
            territory = found
        else:
            # Unknown commune: keep the project, at the département level.
            fallback = (
                departement
                or postal_departement
                or (ref.nearest_departement(*near) if near else None)
            )
            if fallback is None:
                if not (abroad and without_place_ok):
                    errors.append(("commune", _("commune inconnue « %(v)s »") % {"v": described}))
                    return None
            else:
                territory = fallback
                warnings.append(
                    (
                        "commune",
                        _("commune inconnue « %(v)s » : lieu placé dans %(t)s")
                        % {"v": described, "t": ref.label(f"departement:{fallback['code']}")},
                    )
                )
    elif departement is not None:
        territory = departement
    elif region_value:
        territory = ref.region(region_value)
        if territory is None:
            errors.append(("region", _("région inconnue « %(v)s »") % {"v": region_value}))
            return None
    elif near is not None:
        territory = ref.nearest_departement(*near)

    if coordinate_problem:
        if territory is None and not without_place_ok:
            errors.append(("coordonnées", coordinate_problem))
            return None
        warnings.append(
            (
                "coordonnées",
                _("%(problem)s : coordonnées ignorées") % {"problem": coordinate_problem},
            )
        )
    if abroad:
        lat, lon = point
        if territory is None:
            if without_place_ok:
                warnings.append(
                    (
                        "coordonnées",
                        _(
                            "coordonnées à l'étranger (%(lat)s, %(lon)s) : projet d'échelle "
                            "nationale ou internationale gardé sans lieu"
                        )
                        % {"lat": lat, "lon": lon},
                    )
                )
                return None
            errors.append(
                (
                    "coordonnées",
                    _("coordonnées en dehors de la France (%(lat)s, %(lon)s)")
                    % {"lat": lat, "lon": lon},
                )
            )
            return None
        # An organisation acting abroad, with its French address: the project stays
        # on its French territory; the point abroad cannot be stored (ProjectLocation
        # accepts points in France only).
        warnings.append(
            (
                "coordonnées",
                _(
                    "coordonnées à l'étranger (%(lat)s, %(lon)s) : point non gardé, lieu "
                    "placé à %(t)s"
                )
                % {
                    "lat": lat,
                    "lon": lon,
                    "t": ref.label(f"{territory['level']}:{territory['code']}"),
                },
            )
        )
        point = None
    if territory is None:
        if not without_place_ok:
            errors.append(("lieu", _("lieu manquant (commune, département ou coordonnées)")))
        return None
    if (
        point is not None
        and territory["level"] != TerritoryLevel.REGION
        and _point_elsewhere(record, ref, point, territory)
    ):
        # The postal code (or commune) says where the place is; the point,
        # elsewhere, would show it on the map in another département.
        point = None
    lat, lon = point if point is not None else (None, None)
    return {
        "territory": f"{territory['level']}:{territory['code']}",
        "territory_id": territory["id"],
        "address": _shorten(_text(raw.get("address")), 250),
        "latitude": round(lat, 6) if lat is not None else None,
        "longitude": round(lon, 6) if lon is not None else None,
    }


def _point_elsewhere(record, ref: Referential, point, territory: dict) -> bool:
    """Whether the point falls in another département than the postal code's (or
    the commune's); the editor is told. Without the commune's own position,
    département centres (approximate) decide: the point must be clearly nearer
    another centre, so that places near a border raise nothing."""
    departement_code = (
        territory["code"]
        if territory["level"] == TerritoryLevel.DEPARTEMENT
        else territory["departement_code"]
    )
    nearest = ref.nearest_departement(*point)
    if nearest is None or nearest["code"] == departement_code:
        return False
    if territory["level"] == TerritoryLevel.COMMUNE and territory["latitude"] is not None:
        if _distance_km(point, (territory["latitude"], territory["longitude"])) < ELSEWHERE_KM:
            return False
    else:
        own = ref.by_code.get((TerritoryLevel.DEPARTEMENT, departement_code))
        if own is None or own["latitude"] is None:
            return False
        to_own = _distance_km(point, (own["latitude"], own["longitude"]))
        to_nearest = _distance_km(point, (nearest["latitude"], nearest["longitude"]))
        if to_own < ELSEWHERE_KM or to_own < CLEARLY_NEARER * to_nearest:
            return False
    record.warnings.append(
        (
            "coordonnées",
            _(
                "le point (%(lat)s, %(lon)s) est dans le département %(point)s, le lieu "
                "dans le %(place)s : territoire gardé, point ignoré — vérifiez les coordonnées"
            )
            % {
                "lat": round(point[0], 5),
                "lon": round(point[1], 5),
                "point": nearest["code"],
                "place": departement_code,
            },
        )
    )
    return True


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
