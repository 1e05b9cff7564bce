"""Readers: turn a partner's file or feed into records (row number + a dict).

Formats: CSV (delimiter and encoding detected), XLSX (openpyxl), JSON (an array, or
an array wrapped in an object), JSON-LD-like records (nested values are read by the
mapping with dotted paths), GeoJSON, and paginated JSON HTTP APIs.

A file that cannot be read as a whole — undecodable, binary, truncated — is refused
with a French message (``ImportFileError``); a single malformed CSV line becomes a
record carrying ``__erreur__`` so that the run reports it with its row number and
the good rows still go in.

Why not pandas or clevercsv: the stdlib ``csv`` module reads every dialect partners
send; what it lacks is a *choice* between candidates, which we make by checking that
every line splits into the header's number of columns (``csv.Sniffer`` guesses from
the first kilobytes only and picks wrong delimiters on free text full of commas).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .mapping import get_path

MAX_BYTES = 200 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
FORMATS = ("csv", "xlsx", "json", "geojson")


class ImportFileError(ValueError):
    """The file or feed cannot be read as a whole; nothing is imported."""


@dataclass
class Record:
    row: int  # the row (CSV/XLSX line, counting the header as 1) or item number (JSON, from 1)
    data: dict


@dataclass
class ReadResult:
    records: list[Record]
    format: str
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)


def _columns(records: list[Record]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records[:200]:
        for key in record.data:
            if not key.startswith("__"):
                seen.setdefault(key, None)
    return list(seen)


# --- format detection ----------------------------------------------------------------------


def _guess_format(content: bytes, filename: str) -> str:
    suffix = Path(filename.split("?")[0]).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("geojson",):
        return "geojson"
    if suffix in ("json", "jsonld"):
        return "json"
    if suffix in ("csv", "tsv", "txt"):
        return "csv"
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"[", b"{"):
        return "json"
    return "csv"


def _decode(content: bytes) -> tuple[str, str]:
    if b"\x00" in content[:65536]:
        raise ImportFileError(
            _(
                "Ce fichier n'est pas un texte lisible (contenu binaire) : envoyez un CSV, "
                "un classeur XLSX ou un JSON."
            )
        )
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "latin-1" and any("\x80" <= ch <= "\x9f" for ch in text):
            break  # control characters: not a text in any encoding we know
        if encoding == "utf-8-sig" and not content.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise ImportFileError(
        _(
            "Encodage du fichier non reconnu : enregistrez-le en UTF-8 (ou Windows-1252) "
            "puis renvoyez-le."
        )
    )


# --- CSV -------------------------------------------------------------------------------------


def _split(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))


def _score(rows: list[list[str]]) -> tuple[int, int]:
    """How well a delimiter explains the sample: rows matching the header's width."""
    if not rows or len(rows[0]) < 2:
        return (0, 0)
    width = len(rows[0])
    body = [r for r in rows[1:] if r]
    matching = sum(1 for r in body if len(r) == width)
    return (matching if body else 1, width)


def _detect_delimiter(text: str) -> str:
    sample_end = -1
    lines = 0
    position = 0
    # a sample of ~200 lines, cut on a line boundary (quoted line breaks may cut a
    # record in two: the scores only compare delimiters, they need not be exact)
    while lines < 200 and position != -1:
        position = text.find("\n", position + 1)
        lines += 1
        sample_end = position
    sample = text if sample_end == -1 else text[:sample_end]
    best, best_score = "", (0, 0)
    for delimiter in DELIMITERS:
        score = _score(_split(sample, delimiter))
        if score > best_score:
            best, best_score = delimiter, score
    if not best:
        raise ImportFileError(
            _(
                "Impossible de trouver le séparateur des colonnes (virgule, point-virgule, "
                "tabulation ou barre verticale) : la première ligne doit nommer les colonnes."
            )
        )
    return best


def _check_complete(text: str, delimiter: str) -> None:
    """Refuse a file cut short: an unterminated quote, or a last line shorter than
    the header that does not end with a line break (an interrupted download)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(
            _(
                "Le fichier semble tronqué ou mal formé (%(error)s, vers la ligne %(line)s) : "
                "rien n'a été importé. Exportez-le de nouveau en entier."
            )
            % {"error": exc, "line": reader.line_num}
        ) from None
    if text.count('"') % 2:
        raise ImportFileError(
            _(
                "Le fichier est tronqué (un guillemet ouvert n'est jamais fermé) : rien n'a "
                "été importé. Exportez-le de nouveau en entier."
            )
        )
    if (
        len(rows) > 1
        and not text.endswith(("\n", "\r"))
        and rows[-1]
        and len(rows[-1]) < len(rows[0])
    ):
        raise ImportFileError(
            _(
                "Le fichier est tronqué : sa dernière ligne s'arrête au milieu "
                "(%(found)s colonnes sur %(expected)s) : rien n'a été importé. "
                "Exportez-le de nouveau en entier."
            )
            % {"found": len(rows[-1]), "expected": len(rows[0])}
        )


def _read_csv(content: bytes) -> ReadResult:
    text, encoding = _decode(content)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError(_("Le fichier est vide."))
    delimiter = _detect_delimiter(text)
    _check_complete(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    if len(set(header)) != len(header):
        duplicates = sorted({h for h in header if header.count(h) > 1})
        raise ImportFileError(
            _("Colonnes en double dans l'en-tête : %(columns)s.")
            % {"columns": ", ".join(duplicates)}
        )
    records = []
    for values in reader:
        row = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        data = dict(zip(header, values, strict=False))
        if len(values) != len(header):
            data["__erreur__"] = _(
                "ligne mal formée : %(found)s colonnes au lieu de %(expected)s"
            ) % {"found": len(values), "expected": len(header)}
        records.append(Record(row=row, data=data))
    return ReadResult(
        records=records, format="csv", encoding=encoding, delimiter=delimiter, columns=header
    )


# --- XLSX ------------------------------------------------------------------------------------


def _read_xlsx(content: bytes) -> ReadResult:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("Classeur XLSX illisible ou tronqué (%(error)s) : rien n'a été importé.")
            % {"error": exc}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ImportFileError(_("Le fichier est vide."))
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and not header[-1]:
            header.pop()
        records = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            data = {
                name: ("" if value is None else value)
                for name, value in zip(header, values, strict=False)
                if name
            }
            records.append(Record(row=number, data=data))
    finally:
        workbook.close()
    return ReadResult(records=records, format="xlsx", columns=[h for h in header if h])


# --- JSON / GeoJSON --------------------------------------------------------------------------


def _items(document: Any, items_path: str | None) -> list:
    if items_path:
        items = get_path(document, items_path)
        if not isinstance(items, list):
            raise ImportFileError(
                _("Aucune liste d'enregistrements à l'emplacement « %(path)s ».")
                % {"path": items_path}
            )
        return items
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("@graph", "data", "results", "items", "records", "features", "elements"):
            if isinstance(document.get(key), list):
                return document[key]
        for value in document.values():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                return value
        if document:
            return [document]  # a single record
    raise ImportFileError(_("Aucun enregistrement trouvé dans le JSON."))


def _feature(item: dict) -> dict:
    """A GeoJSON feature: its properties, plus its geometry and a point to place it."""
    data = dict(item.get("properties") or {})
    geometry = item.get("geometry") or None
    data["__geometry__"] = geometry
    point = _representative_point(geometry)
    if point is not None:
        data["__longitude__"], data["__latitude__"] = point
    if item.get("id") is not None and "id" not in data:
        data["id"] = item["id"]
    return data


def _representative_point(geometry: dict | None) -> tuple[float, float] | None:
    if not isinstance(geometry, dict):
        return None
    coordinates = geometry.get("coordinates")
    kind = geometry.get("type")
    try:
        if kind == "Point":
            return float(coordinates[0]), float(coordinates[1])
        # Other shapes: the mean of their vertices is close enough to place a marker.
        flat: list = []

        def walk(value):
            if value and isinstance(value[0], (int, float)):
                flat.append(value)
            else:
                for part in value:
                    walk(part)

        if kind == "GeometryCollection":
            for part in geometry.get("geometries") or []:
                point = _representative_point(part)
                if point:
                    return point
            return None
        walk(coordinates or [])
        if not flat:
            return None
        return (
            sum(float(p[0]) for p in flat) / len(flat),
            sum(float(p[1]) for p in flat) / len(flat),
        )
    except (TypeError, ValueError, IndexError):
        return None


def _parse_json(content: bytes) -> Any:
    text, _encoding = _decode(content)
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or "Unterminated" in exc.msg:
            raise ImportFileError(
                _(
                    "Le JSON est tronqué ou mal formé (%(error)s, ligne %(line)s) : rien n'a "
                    "été importé."
                )
                % {"error": exc.msg, "line": exc.lineno}
            ) from None
        raise ImportFileError(
            _("JSON mal formé (%(error)s, ligne %(line)s, colonne %(column)s).")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None


def _records_from_items(items: list, *, start: int = 1) -> list[Record]:
    records = []
    for number, item in enumerate(items, start=start):
        if isinstance(item, dict) and item.get("type") == "Feature":
            data = _feature(item)
        elif isinstance(item, dict):
            data = item
        else:
            data = {
                "__erreur__": _("enregistrement inattendu (un objet JSON est attendu, pas %(t)s)")
                % {"t": type(item).__name__}
            }
        records.append(Record(row=number, data=data))
    return records


def _read_json(content: bytes, *, items_path: str | None, geojson: bool = False) -> ReadResult:
    document = _parse_json(content)
    is_collection = isinstance(document, dict) and document.get("type") == "FeatureCollection"
    items = _items(document, items_path or ("features" if is_collection else None))
    records = _records_from_items(items)
    kind = "geojson" if geojson or is_collection else "json"
    return ReadResult(records=records, format=kind, encoding="utf-8", columns=_columns(records))


# --- entry points ----------------------------------------------------------------------------


def read_bytes(
    content: bytes, *, filename: str = "", format: str | None = None, items_path: str | None = None
) -> ReadResult:
    """Read a whole file; ``format`` (csv, xlsx, json, geojson) overrides detection."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("Le fichier dépasse 200 Mo."))
    if not content.strip():
        raise ImportFileError(_("Le fichier est vide."))
    kind = (format or "").lower() or _guess_format(content, filename)
    if kind not in FORMATS:
        raise ImportFileError(_("Format inconnu : %(format)s.") % {"format": kind})
    if kind == "xlsx":
        return _read_xlsx(content)
    if kind in ("json", "geojson"):
        return _read_json(content, items_path=items_path, geojson=kind == "geojson")
    return _read_csv(content)


def read_path(path: Path | str, *, format: str | None = None, items_path: str | None = None):
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(
            _("Fichier introuvable : %(path)s (%(error)s).") % {"path": path, "error": exc}
        ) from None
    if size > MAX_BYTES:
        raise ImportFileError(_("Le fichier dépasse 200 Mo."))
    return read_bytes(path.read_bytes(), filename=path.name, format=format, items_path=items_path)


def read_http_json(
    url: str,
    *,
    items_path: str | None,
    next_path: str | None = None,
    page_param: str | None = None,
    max_pages: int = 1000,
    session=None,
    timeout: int = 30,
) -> ReadResult:
    """Read a paginated JSON API: follow the next-page link found at ``next_path``
    (absolute or relative URL), or increment ``page_param`` (from 1) until a page
    comes back empty. Any failed page refuses the whole feed, so that a partial feed
    never unpublishes the records it did not get."""
    from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

    import requests

    http = session or requests.Session()
    records: list[Record] = []
    current: str | None = url
    page = 1
    seen: set[str] = set()
    while current and page <= max_pages:
        if page_param:
            parts = urlsplit(url)
            query = dict(parse_qsl(parts.query))
            query[page_param] = str(page)
            current = urlunsplit(parts._replace(query=urlencode(query)))
        if current in seen:
            break
        seen.add(current)
        try:
            response = http.get(current, timeout=timeout, headers={"Accept": "application/json"})
            response.raise_for_status()
        except requests.RequestException as exc:
            raise ImportFileError(
                _("Le flux du partenaire ne répond pas (page %(page)s : %(error)s).")
                % {"page": page, "error": exc}
            ) from None
        document = _parse_json(response.content)
        items = _items(document, items_path) if document not in ([], {}) else []
        if not items:
            break
        records.extend(_records_from_items(items, start=len(records) + 1))
        if next_path:
            link = get_path(document, next_path) if isinstance(document, dict) else None
            current = urljoin(current, link) if link else None
        elif not page_param:
            current = None
        page += 1
    else:
        if current and page > max_pages:
            raise ImportFileError(
                _("Le flux dépasse %(max)s pages : import arrêté.") % {"max": max_pages}
            )
    return ReadResult(
        records=records, format="json-http", encoding="utf-8", columns=_columns(records)
    )
