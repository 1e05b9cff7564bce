"""From mapped records to project data: validation with the same rules as the public
form, places (places.py), and grouping of the rows sharing a key.

- A row is rejected only for what a project cannot do without: its key, its title,
  its place. Any other value that is wrong (an e-mail address with accents, a
  website « http://0344295224 », an unknown theme code…) is dropped with a warning,
  and every problem of the row is reported at once.
- Rows sharing a key are the places of one project, so they must describe the same
  project: same title, same organisation when both give one. A key that gathers
  different projects (an identifier column that no longer identifies) is an error
  naming the key and the titles, and none of its rows is applied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from core.text import fold

from ..models import LegalStatus, Scale, Stage
from ..validators import validate_siret
from .mapping import MappedRecord
from .places import resolve_location
from .referential import Referential
from .replication import replication_values

__all__ = [
    "Prepared",
    "ProjectData",
    "Referential",
    "RowError",
    "prepare",
    "resolve_location",
    "validate_values",
]

SUMMARY_MAX = 300
_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()
# Projects acting nationally or beyond may have no place (or one abroad).
WITHOUT_PLACE_SCALES = frozenset({Scale.NATIONAL, Scale.EUROPEEN})


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


ERROR = "error"
WARNING = "warning"


@dataclass
class RowError:
    row: int
    key: str
    field: str
    reason: str
    severity: str = ERROR  # or WARNING: the value was dropped, the project kept


# Choice values, read once (an enum's ``values`` is rebuilt at every access).
LEGAL_STATUSES = frozenset(LegalStatus.values)
STAGES = frozenset(Stage.values)
SCALES = frozenset(Scale.values)


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


def _web_address(value: str) -> str | None:
    url = value.strip()
    if url and "://" not in url:
        url = f"https://{url}"
    try:
        _url(url)
    except ValidationError:
        return None
    return url


def validate_values(record: MappedRecord, ref: Referential) -> dict[str, Any]:
    """Normalise the mapped values. A missing title is an error (record.errors);
    any other bad value is dropped with a warning (record.warnings)."""
    raw = record.values
    warn = record.warnings.append
    values: dict[str, Any] = {}
    title = " ".join(_text(raw.get("title")).split())
    if not title:
        record.errors.append(("title", _("titre manquant")))
    values["title"] = _shorten(title, 200)
    description = _text(raw.get("description"))
    summary = " ".join(_text(raw.get("summary")).split()) or " ".join(description.split())
    values["summary"] = _shorten(summary, SUMMARY_MAX) if summary else title
    values["description"] = description
    values["structure_name"] = _shorten(_text(raw.get("structure_name")), 200)
    legal_status = _text(raw.get("legal_status"))
    if legal_status and legal_status not in LEGAL_STATUSES:
        warn(
            ("legal_status", _("statut juridique inconnu « %(v)s » : ignoré") % {"v": legal_status})
        )
        legal_status = ""
    values["legal_status"] = legal_status
    siret = _text(raw.get("siret")).replace(" ", "")
    if siret:
        try:
            validate_siret(siret)
        except ValidationError as exc:
            warn(("siret", _("%(error)s : SIRET ignoré") % {"error": exc.messages[0]}))
            siret = ""
    values["siret"] = siret
    for name, known in (("themes", ref.themes), ("publics", ref.publics), ("methods", ref.methods)):
        codes = _list(raw.get(name))
        unknown = [c for c in codes if c not in known]
        if unknown:
            warn((name, _("code inconnu, ignoré : %(codes)s") % {"codes": ", ".join(unknown)}))
        values[name] = sorted(c for c in codes if c in known)
    for name, choices in (("stage", STAGES), ("scale", SCALES)):
        value = _text(raw.get(name))
        if value and value not in choices:
            warn((name, _("valeur inconnue « %(v)s » : ignorée") % {"v": value}))
        values[name] = value if value in choices else ""
    year = raw.get("year_started")
    if year not in (None, ""):
        try:
            year = int(float(str(year).strip()))
        except ValueError:
            warn(("year_started", _("année illisible « %(v)s » : ignorée") % {"v": year}))
            year = None
        if year is not None and not 1850 <= year <= 2100:
            warn(("year_started", _("année hors limites : %(v)s, ignorée") % {"v": year}))
            year = None
    values["year_started"] = year or None
    values["tags"] = sorted({_shorten(t.lower(), 60) for t in _list(raw.get("tags"))})[:15]
    for name in ("website", "source_url"):
        text = _text(raw.get(name))
        url = _web_address(text) if text else ""
        if url is None:
            # Several addresses in one cell (« a.fr;b.fr »): the first valid one.
            parts = [p for p in text.replace(";", " ").replace(",", " ").split() if p]
            found = [u for u in (_web_address(p) for p in parts) if u] if len(parts) > 1 else []
            if found:
                url = found[0]
                warn(
                    (
                        name,
                        _("plusieurs adresses web « %(v)s » : la première est gardée")
                        % {"v": text},
                    )
                )
            else:
                warn((name, _("adresse web invalide « %(v)s » : ignorée") % {"v": text}))
                url = ""
        values[name] = url
    links = []
    for link in _list(raw.get("links")):
        url = _web_address(link)
        if url is None:
            warn(("links", _("adresse web invalide « %(v)s » : ignorée") % {"v": link}))
        else:
            links.append(url)
    values["links"] = links[:8]
    email = _text(raw.get("contact_email")).lower()
    if email:
        try:
            _email(email)
        except ValidationError:
            warn(("contact_email", _("adresse e-mail invalide « %(v)s » : ignorée") % {"v": email}))
            email = ""
    values["contact_email"] = email
    replication, problems = replication_values(raw)
    for name, reason in problems:
        warn((name, reason))
    if replication:
        values["replication"] = replication
    origins = [_shorten(ref, 500) for ref in _list(raw.get("inspired_by"))][:10]
    if origins:
        values["inspired_by"] = origins
    return values


@dataclass
class Prepared:
    projects: list[ProjectData] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # errors and warnings, by row
    skipped: int = 0
    rows: int = 0
    merged: int = 0  # rows that joined a project of the same key (its other places)
    folded: dict[str, list[str]] = field(default_factory=dict)  # key → its distinct titles

    @property
    def rejected_rows(self) -> set[int]:
        return {e.row for e in self.errors if e.severity == ERROR}

    @property
    def error_keys(self) -> set[str]:
        return {e.key for e in self.errors if e.severity == ERROR}


@dataclass
class _Group:
    data: ProjectData
    titles: dict[str, str]  # folded → as written
    organisations: dict[str, str]  # folded → as written


def _identity(values: dict) -> tuple[str, str]:
    return fold(values.get("title") or ""), fold(values.get("structure_name") or "")


def prepare(mapping, records, ref: Referential) -> Prepared:
    """Map, validate and group the records of one file or feed."""
    prepared = Prepared()
    groups: dict[str, _Group] = {}
    rows_of_key: dict[str, list[int]] = {}
    for record in records:
        prepared.rows += 1
        mapped = mapping.apply(record.row, record.data)
        if mapped.skipped:
            prepared.skipped += 1
            continue
        malformed = bool(mapped.errors) and mapped.errors[0][0] == ""
        values = validate_values(mapped, ref) if not malformed else {}
        location = None
        if not malformed:
            location = resolve_location(
                mapped, ref, without_place_ok=values.get("scale") in WITHOUT_PLACE_SCALES
            )
            if (
                location is None
                and not any(
                    f in ("lieu", "commune", "coordonnées", "departement", "region")
                    for f, _r in mapped.errors
                )
                and values.get("scale") not in WITHOUT_PLACE_SCALES
                and mapped.key not in groups
            ):
                mapped.errors.append(
                    ("lieu", _("lieu manquant (commune, département ou coordonnées)"))
                )
        for field_name, reason in mapped.errors:
            prepared.errors.append(RowError(mapped.row, mapped.key, field_name, reason, ERROR))
        for field_name, reason in mapped.warnings:
            prepared.errors.append(RowError(mapped.row, mapped.key, field_name, reason, WARNING))
        if mapped.errors:
            continue
        title, organisation = _identity(values)
        rows_of_key.setdefault(mapped.key, []).append(mapped.row)
        group = groups.get(mapped.key)
        if group is None:
            groups[mapped.key] = _Group(
                data=ProjectData(
                    key=mapped.key,
                    rows=[mapped.row],
                    values=values,
                    locations=[location] if location else [],
                ),
                titles={title: values["title"]},
                organisations={organisation: values["structure_name"]} if organisation else {},
            )
            continue
        # Another row of the same project: one more place; empty fields filled in.
        group.titles.setdefault(title, values["title"])
        if organisation:
            group.organisations.setdefault(organisation, values["structure_name"])
        data = group.data
        data.rows.append(mapped.row)
        if location and all(
            (location["territory"], location["address"]) != (loc["territory"], loc["address"])
            for loc in data.locations
        ):
            data.locations.append(location)
        for name, value in values.items():
            if data.values.get(name) in (None, "", []) and value not in (None, "", []):
                data.values[name] = value
    projects = []
    for key, group in groups.items():
        if len(group.titles) > 1 or len(group.organisations) > 1:
            # The key no longer identifies one project: nothing of it is applied.
            names = list((group.titles if len(group.titles) > 1 else group.organisations).values())
            reason = _(
                "l'identifiant %(key)s regroupe %(count)s projets différents : %(names)s"
            ) % {
                "key": key,
                "count": len(names),
                "names": " ; ".join(f"« {name} »" for name in names[:10])
                + (" …" if len(names) > 10 else ""),
            }
            prepared.folded[key] = names
            for row in rows_of_key[key]:
                prepared.errors.append(RowError(row, key, "key", reason, ERROR))
            continue
        group.data.locations = group.data.locations[:10]
        group.data.content_hash = group.data.fingerprint()
        prepared.merged += len(group.data.rows) - 1
        projects.append(group.data)
    prepared.projects = projects
    prepared.errors.sort(key=lambda e: (e.row, e.severity != ERROR))
    return prepared
