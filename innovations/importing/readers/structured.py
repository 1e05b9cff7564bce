"""JSON (an array, or wrapped in an object), JSON-LD-like records and GeoJSON."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from ..mapping import get_path
from .base import ImportFileError, ReadResult, Record, _columns, _decode


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
    data = dict(_stripped_keys(item.get("properties") or {}))
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


def _stripped_keys(item: dict) -> dict:
    """Keys without the spaces around them (« Nom  » is « Nom »), as CSV and XLSX
    headers are read; a key whose stripped form is taken keeps its spaces."""
    if all(not isinstance(k, str) or k == k.strip() for k in item):
        return item
    out: dict = {}
    for key, value in item.items():
        name = key.strip() if isinstance(key, str) else key
        out[key if name in out or (name in item and name != key) else name] = value
    return out


def _records_from_items(items: list, *, start: int = 1) -> list[Record]:
    records = []
    for number, item in enumerate(items, start=start):
        if isinstance(item, dict) and item.get("type") == "Feature":
            data = _feature(item)
        elif isinstance(item, dict):
            data = _stripped_keys(item)
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
