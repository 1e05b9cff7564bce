"""/api/v1 endpoints of the innovations app."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from .selectors import territories_autocomplete, territory_label

router = Router(tags=["Territoires"])


class TerritoryOut(Schema):
    key: str
    label: str
    level: str
    code: str
    name: str
    postal_codes: list[str]


class TerritoriesOut(Schema):
    query: str
    results: list[TerritoryOut]


@router.get("/territoires", response=TerritoriesOut, summary="Autocomplétion des territoires")
def territories(request: HttpRequest, q: str = ""):
    """Communes, départements and régions whose name (accents ignored), postal code
    or INSEE code starts with ``q`` (2 characters at least)."""
    query = q[:80]
    return {
        "query": query,
        "results": [
            {
                "key": t.key,
                "label": territory_label(t),
                "level": t.level,
                "code": t.code,
                "name": t.name,
                "postal_codes": t.postal_codes.split(),
            }
            for t in territories_autocomplete(query=query, limit=10)
        ],
    }
