"""The error bodies of /api/v1/, as django-ninja writes them — documented in each
endpoint's ``response=`` so that the OpenAPI schema says what clients get."""

from __future__ import annotations

from typing import Any

from ninja import Schema


# Docstrings are the schema's descriptions, read by the API's users: in French.
class ErrorOut(Schema):
    """Erreur (400, 404, 429, 503) : le message dit ce qui ne va pas."""

    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """Paramètre hors de son type ou de ses bornes (422) : un élément par paramètre."""

    detail: list[ValidationErrorItem]
