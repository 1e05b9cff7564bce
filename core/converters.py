"""Database ids in URLs: one definition for Django routes and for the API.

Our primary keys are 64-bit signed integers (``BigAutoField``, Wagtail's page ids).
Django's ``<int:…>`` accepts any number of digits, and a value past 2**63 - 1 makes
the database driver raise (SQLite: ``OverflowError``; PostgreSQL: « bigint out of
range ») — a 500 instead of a 404. ``<id:…>`` refuses such a value during URL
resolution, so the answer is the ordinary 404; the API's ``ApiId`` refuses it
during validation, so the answer is the ordinary 422.
"""

from __future__ import annotations

from typing import Annotated

from django.urls import register_converter
from ninja import Path

MAX_DATABASE_ID = 2**63 - 1


class DatabaseIdConverter:
    """``<id:project_id>``: a positive integer that fits the database's ids."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_DATABASE_ID:
            raise ValueError("beyond the database's id range")  # → no match → 404
        return number

    def to_url(self, value) -> str:
        number = int(value)
        if not 0 <= number <= MAX_DATABASE_ID:
            raise ValueError("beyond the database's id range")  # → NoReverseMatch
        return str(number)


register_converter(DatabaseIdConverter, "id")

# A path parameter of the API that is a database id (ninja validates it: 422 outside).
ApiId = Annotated[int, Path(..., ge=1, le=MAX_DATABASE_ID)]
