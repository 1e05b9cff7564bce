"""Full exports of the open projects (open data level): CSV, JSON and GeoJSON,
streamed so that 100 000 projects never sit in memory at once."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from core.csvsafe import csv_download

from ..models import Openness
from ..opendata import projects_for_open_data, serialise

CHUNK = 500
CSV_COLUMNS = [
    "id",
    "url",
    "title",
    "summary",
    "themes",
    "publics",
    "stage",
    "scale",
    "year_started",
    "structure_name",
    "legal_status",
    "siret",
    "website",
    "communes",
    "departements",
    "regions",
    "latitude",
    "longitude",
    "sources",
    "licence",
    "updated_at",
]


def _open_projects():
    """Serialised projects, by chunks of ids (bounded memory, prefetch per chunk)."""
    last = 0
    while True:
        chunk = list(projects_for_open_data().filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        for project in chunk:
            yield serialise(project, Openness.OPEN)
        last = chunk[-1].pk


def _json(data) -> str:
    # Dates in ISO 8601 (« 2026-12-02T02:10:36Z »), as the API gives them.
    return json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)


def _attachment(response: StreamingHttpResponse, name: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Licence"] = "Licence Ouverte 2.0 (sauf mention contraire de la source)"
    return response


def _csv_row(data: dict) -> list:
    places = data.get("locations") or []
    first = next((p for p in places if "latitude" in p), {})
    structure = data.get("structure") or {}
    return [
        data["id"],
        data["url"],
        data["title"],
        data.get("summary", ""),
        " | ".join(t["label"] for t in data.get("themes") or []),
        " | ".join(p["label"] for p in data.get("publics") or []),
        data.get("stage") or "",
        data.get("scale") or "",
        data.get("year_started") or "",
        structure.get("name") or "",
        structure.get("legal_status") or "",
        structure.get("siret") or "",
        data.get("website") or "",
        " | ".join(p["territory"]["code"] for p in places if p["territory"]["level"] == "commune"),
        " | ".join(sorted({p["departement"] for p in places if p.get("departement")})),
        " | ".join(sorted({p["region"] for p in places if p.get("region")})),
        first.get("latitude", ""),
        first.get("longitude", ""),
        " | ".join(s["name"] for s in data["sources"]),
        data["licence"],
        data["updated_at"].isoformat() if data["updated_at"] else "",
    ]


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    def rows():
        yield CSV_COLUMNS
        for data in _open_projects():
            yield _csv_row(data)

    # core/csvsafe.py: the one CSV path (streamed, BOM, formulas neutralised).
    response = csv_download(rows(), filename="carrefour-projets.csv")
    return _attachment(response, "carrefour-projets.csv")


@require_GET
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    def chunks():
        yield '{"licence": "etalab-2.0", "projects": ['
        for position, data in enumerate(_open_projects()):
            yield ("," if position else "") + _json(data)
        yield "]}"

    return _attachment(
        StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8"),
        "carrefour-projets.json",
    )


@require_GET
def export_geojson(request: HttpRequest) -> StreamingHttpResponse:
    def chunks():
        yield '{"type": "FeatureCollection", "features": ['
        written = 0
        for data in _open_projects():
            points = [
                [p["longitude"], p["latitude"]]
                for p in data.get("locations") or []
                if "latitude" in p
            ]
            if not points:
                continue
            geometry = (
                {"type": "Point", "coordinates": points[0]}
                if len(points) == 1
                else {"type": "MultiPoint", "coordinates": points}
            )
            properties = {k: v for k, v in data.items() if k != "locations"}
            feature = {"type": "Feature", "geometry": geometry, "properties": properties}
            yield ("," if written else "") + _json(feature)
            written += 1
        yield "]}"

    return _attachment(
        StreamingHttpResponse(chunks(), content_type="application/geo+json; charset=utf-8"),
        "carrefour-projets.geojson",
    )
