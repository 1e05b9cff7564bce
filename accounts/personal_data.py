"""Registry of what each app holds about a user, for export and for account deletion.

Each app registers, in its AppConfig.ready(), an exporter (what to put in the
user's JSON download) and, when it keeps content after the account is gone, an
anonymiser. accounts.services calls them; no app needs to know the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Anonymiser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_anonymisers: dict[str, Anonymiser] = {}


def register_exporter(section: str, exporter: Exporter) -> None:
    _exporters[section] = exporter


def register_anonymiser(name: str, anonymiser: Anonymiser) -> None:
    _anonymisers[name] = anonymiser


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def anonymisers() -> dict[str, Anonymiser]:
    return dict(_anonymisers)
