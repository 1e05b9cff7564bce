"""From mapped records to project data: validation with the same rules as the public
form, territory resolution (INSEE code, postal code, commune name, département),
coordinates in every form partners use, and grouping of the rows sharing a key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from cms.text import fold

from ..geo import in_france
from ..models import LegalStatus, Method, Public, Scale, Stage, Territory, TerritoryLevel, Theme
from ..validators import validate_siret
from .coordinates import (
    CoordinateError,
    lambert93_to_wgs84,
    looks_like_lambert93,
    normalise_latlon,
    parse_number,
    parse_point,
)
from .mapping import MappedRecord

SUMMARY_MAX = 300
_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


@dataclass
class ProjectData:
    """One project as a source describes it (several rows may share its key)."""

    key: str
    rows: list[int]
    values: dict[str, Any]
    locations: list[dict[str, Any]]
    content_hash: str = ""

    def fingerprint(self) -> str:
        places = [{k: v for k, v in loc.items() if k != "territory_id"} for loc in self.locations]
        payload = json.dumps(
            {"values": self.values, "locations": places},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class RowError:
    row: int
    key: str
    field: str
    reason: str


# Choice values, read once (an enum's ``values`` is rebuilt at every access).
LEGAL_STATUSES = frozenset(LegalStatus.values)
STAGES = frozenset(Stage.values)
SCALES = frozenset(Scale.values)


class Referential:
    """Codes and territories, read once per import."""

    def __init__(self) -> None:
        self.themes = set(Theme.objects.values_list("code", flat=True))
        self.publics = set(Public.objects.values_list("code", flat=True))
        self.methods = set(Method.objects.values_list("code", flat=True))
        self.by_code: dict[tuple[str, str], dict] = {}
        self.by_postcode: dict[str, list[dict]] = {}
        self.by_name: dict[str, list[dict]] = {}
        self.departement_names: dict[str, dict] = {}
        rows = Territory.objects.values(
            "id",
            "level",
            "code",
            "name",
            "search_name",
            "postal_codes",
            "departement_code",
            "region_code",
            "latitude",
            "longitude",
        )
        for row in rows:
            self.by_code[(row["level"], row["code"])] = row
            if row["level"] == TerritoryLevel.COMMUNE:
                for postcode in row["postal_codes"].split():
                    self.by_postcode.setdefault(postcode, []).append(row)
                self.by_name.setdefault(row["search_name"], []).append(row)
            elif row["level"] == TerritoryLevel.DEPARTEMENT:
                self.departement_names[row["search_name"]] = row
        self.departements = [
            row
            for (level, _code), row in self.by_code.items()
            if level == TerritoryLevel.DEPARTEMENT
        ]

    def commune(
        self,
        *,
        insee: str = "",
        postal_code: str = "",
        name: str = "",
        near: tuple[float, float] | None = None,
    ) -> dict | None:
        insee = (insee or "").strip().upper()
        if insee:
            insee = insee.zfill(5) if insee.isdigit() else insee
            found = self.by_code.get((TerritoryLevel.COMMUNE, insee))
            if found:
                return found
        postal_code = str(postal_code or "").strip()
        if postal_code.isdigit():
            postal_code = postal_code.zfill(5)
        folded = fold(name or "")
        candidates = self.by_postcode.get(postal_code, []) if postal_code else []
        if candidates:
            if len(candidates) == 1 and not folded:
                return candidates[0]
            named = [c for c in candidates if _same_name(c["search_name"], folded)]
            if len(named) == 1:
                return named[0]
            if len(candidates) == 1:
                return candidates[0]
        if folded:
            named = self.by_name.get(folded, [])
            if postal_code[:2]:
                in_dep = [c for c in named if c["departement_code"] == _dep_of(postal_code)]
                named = in_dep or named
            if len(named) == 1:
                return named[0]
            if len(named) > 1 and near is not None:
                # Homonyms (Mérignac in Gironde and in Charente): the one whose
                # département holds the record's coordinates.
                departement = self.nearest_departement(*near)
                here = [
                    c for c in named if departement and c["departement_code"] == departement["code"]
                ]
                if len(here) == 1:
                    return here[0]
        return None

    def departement(self, value: str) -> dict | None:
        value = (value or "").strip()
        if not value:
            return None
        code = value.upper().zfill(2) if value.isdigit() and len(value) < 3 else value.upper()
        return self.by_code.get((TerritoryLevel.DEPARTEMENT, code)) or self.departement_names.get(
            fold(value)
        )

    def nearest_departement(self, lat: float, lon: float) -> dict | None:
        placed = [d for d in self.departements if d["latitude"] is not None]
        if not placed:
            return None
        return min(placed, key=lambda d: (d["latitude"] - lat) ** 2 + (d["longitude"] - lon) ** 2)


def _dep_of(postal_code: str) -> str:
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "2A" if int(postal_code) < 20200 else "2B"
    return postal_code[:2]


def _same_name(search_name: str, folded: str) -> bool:
    if not folded:
        return False
    if search_name == folded:
        return True
    # « ST MARTIN » / « SAINT-MARTIN », « CEDEX » suffixes
    normal = folded.replace("cedex", "").strip()
    normal = " ".join(
        "saint" if w == "st" else "sainte" if w == "ste" else w for w in normal.split()
    )
    return search_name == normal


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    return str(value).strip()


def _list(value) -> list[str]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def validate_values(record: MappedRecord, ref: Referential) -> dict[str, Any]:
    """Normalise the mapped values; add (field, reason) to record.errors."""
    raw = record.values
    errors = record.errors
    values: dict[str, Any] = {}
    title = " ".join(_text(raw.get("title")).split())
    if not title:
        errors.append(("title", _("titre manquant")))
    values["title"] = _shorten(title, 200)
    description = _text(raw.get("description"))
    summary = " ".join(_text(raw.get("summary")).split()) or " ".join(description.split())
    values["summary"] = _shorten(summary, SUMMARY_MAX) if summary else title
    values["description"] = description
    values["structure_name"] = _shorten(_text(raw.get("structure_name")), 200)
    legal_status = _text(raw.get("legal_status"))
    if legal_status and legal_status not in LEGAL_STATUSES:
        errors.append(
            ("legal_status", _("statut juridique inconnu « %(v)s »") % {"v": legal_status})
        )
    values["legal_status"] = legal_status
    siret = _text(raw.get("siret")).replace(" ", "")
    if siret:
        try:
            validate_siret(siret)
        except ValidationError as exc:
            errors.append(("siret", exc.messages[0]))
    values["siret"] = siret
    for name, known in (("themes", ref.themes), ("publics", ref.publics), ("methods", ref.methods)):
        codes = _list(raw.get(name))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.append((name, _("code inconnu : %(codes)s") % {"codes": ", ".join(unknown)}))
        values[name] = sorted(c for c in codes if c in known)
    for name, choices in (("stage", STAGES), ("scale", SCALES)):
        value = _text(raw.get(name))
        if value and value not in choices:
            errors.append((name, _("valeur inconnue « %(v)s »") % {"v": value}))
        values[name] = value if value in choices else ""
    year = raw.get("year_started")
    if year not in (None, ""):
        try:
            year = int(float(str(year).strip()))
        except ValueError:
            errors.append(("year_started", _("année illisible « %(v)s »") % {"v": year}))
            year = None
        if year is not None and not 1850 <= year <= 2100:
            errors.append(("year_started", _("année hors limites : %(v)s") % {"v": year}))
            year = None
    values["year_started"] = year or None
    values["tags"] = sorted({_shorten(t.lower(), 60) for t in _list(raw.get("tags"))})[:15]
    for name in ("website", "source_url"):
        url = _text(raw.get(name))
        if url and "://" not in url:
            url = f"https://{url}"
        if url:
            try:
                _url(url)
            except ValidationError:
                errors.append((name, _("adresse web invalide « %(v)s »") % {"v": url}))
        values[name] = url
    links = []
    for link in _list(raw.get("links")):
        link = link if "://" in link else f"https://{link}"
        try:
            _url(link)
            links.append(link)
        except ValidationError:
            errors.append(("links", _("adresse web invalide « %(v)s »") % {"v": link}))
    values["links"] = links[:8]
    email = _text(raw.get("contact_email")).lower()
    if email:
        try:
            _email(email)
        except ValidationError:
            errors.append(("contact_email", _("adresse e-mail invalide « %(v)s »") % {"v": email}))
    values["contact_email"] = email
    return values


def resolve_location(record: MappedRecord, ref: Referential) -> dict[str, Any] | None:
    """Territory and coordinates of the record's place; add errors when impossible."""
    raw = record.location
    if not any(v not in (None, "") for k, v in raw.items() if k != "_options"):
        return None
    options = raw.get("_options", {})
    lat = lon = None
    try:
        if raw.get("point") not in (None, ""):
            order = options.get("point", {}).get("order", "auto")
            point = parse_point(str(raw["point"]), order=order)
            if point:
                lat, lon = point
        elif raw.get("x") not in (None, "") or raw.get("y") not in (None, ""):
            x, y = parse_number(raw.get("x")), parse_number(raw.get("y"))
            if x is None or y is None:
                raise CoordinateError(_("il faut x et y"))
            projection = options.get("x", {}).get("projection", "auto")
            if projection == "lambert93" or (projection == "auto" and looks_like_lambert93(x, y)):
                lat, lon = lambert93_to_wgs84(x, y)
            else:
                lat, lon = normalise_latlon(y, x, order="auto") or (None, None)
        elif raw.get("latitude") not in (None, "") or raw.get("longitude") not in (None, ""):
            order = options.get("latitude", {}).get("order", "auto")
            point = normalise_latlon(raw.get("latitude"), raw.get("longitude"), order=order)
            if point:
                lat, lon = point
    except CoordinateError as exc:
        record.errors.append(("coordonnées", str(exc)))
        return None
    if lat is not None and not in_france(lat, lon):
        record.errors.append(
            (
                "coordonnées",
                _("coordonnées en dehors de la France (%(lat)s, %(lon)s)")
                % {"lat": lat, "lon": lon},
            )
        )
        return None
    territory = None
    insee, postal_code, commune = (
        _text(raw.get("insee")),
        _text(raw.get("postal_code")),
        _text(raw.get("commune")),
    )
    if insee or postal_code or commune:
        near = (lat, lon) if lat is not None else None
        territory = ref.commune(insee=insee, postal_code=postal_code, name=commune, near=near)
        if territory is None and postal_code[:2].isdigit():
            # Unknown or ambiguous commune: keep the project, at département level.
            territory = ref.departement(_dep_of(postal_code.zfill(5)))
        if territory is None and near is not None:
            # Same, placed by its coordinates.
            territory = ref.nearest_departement(*near)
        if territory is None:
            record.errors.append(
                (
                    "commune",
                    _("commune inconnue « %(v)s »")
                    % {"v": " ".join(filter(None, [postal_code, commune, insee]))},
                )
            )
            return None
    elif raw.get("departement") not in (None, ""):
        territory = ref.departement(_text(raw["departement"]))
        if territory is None:
            record.errors.append(
                ("departement", _("département inconnu « %(v)s »") % {"v": raw["departement"]})
            )
            return None
    elif lat is not None:
        territory = ref.nearest_departement(lat, lon)
    if territory is None:
        record.errors.append(("lieu", _("lieu manquant (commune, département ou coordonnées)")))
        return None
    return {
        "territory": f"{territory['level']}:{territory['code']}",
        "territory_id": territory["id"],
        "address": _shorten(_text(raw.get("address")), 250),
        "latitude": round(lat, 6) if lat is not None else None,
        "longitude": round(lon, 6) if lon is not None else None,
    }


@dataclass
class Prepared:
    projects: list[ProjectData] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0
    rows: int = 0


def prepare(mapping, records, ref: Referential) -> Prepared:
    """Map, validate and group the records of one file or feed."""
    prepared = Prepared()
    groups: dict[str, ProjectData] = {}
    for record in records:
        prepared.rows += 1
        mapped = mapping.apply(record.row, record.data)
        if mapped.skipped:
            prepared.skipped += 1
            continue
        values = validate_values(mapped, ref) if not mapped.errors else {}
        location = resolve_location(mapped, ref) if not mapped.errors else None
        if not mapped.errors and location is None and mapped.key not in groups:
            mapped.errors.append(("lieu", _("lieu manquant (commune, département ou coordonnées)")))
        if mapped.errors:
            for field_name, reason in mapped.errors:
                prepared.errors.append(RowError(mapped.row, mapped.key, field_name, reason))
            continue
        group = groups.get(mapped.key)
        if group is None:
            groups[mapped.key] = ProjectData(
                key=mapped.key,
                rows=[mapped.row],
                values=values,
                locations=[location] if location else [],
            )
            continue
        # Another row of the same project: one more place; empty fields filled in.
        group.rows.append(mapped.row)
        if location and all(
            (location["territory"], location["address"]) != (loc["territory"], loc["address"])
            for loc in group.locations
        ):
            group.locations.append(location)
        for name, value in values.items():
            if group.values.get(name) in (None, "", []) and value not in (None, "", []):
                group.values[name] = value
    for group in groups.values():
        group.locations = group.locations[:10]
        group.content_hash = group.fingerprint()
    prepared.projects = list(groups.values())
    return prepared
