"""Clicks on search results, for the analytics: which document people open for a
query, at which rank. Counted per day, normalised query and document, like
SearchQueryDay: nothing about who clicked is kept."""

from __future__ import annotations

import datetime
import re

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.textsafe import has_control_characters

from .models import SearchClick
from .registry import adapters
from .services import normalise_query

KEY_PATTERN = re.compile(r"^[a-z_]+:[\w-]{1,64}$")
MAX_POSITION = 1000
MAX_QUERY_LENGTH = 200


class ClickError(ValueError):
    """A click that cannot be counted; its message is French, shown as is."""


def _validated(*, query: str, key: str, position: int) -> str:
    """The normalised query, or ClickError."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ClickError(_("Document inconnu : la clé doit être de la forme « type:identifiant »."))
    if key.split(":", 1)[0] not in adapters():
        raise ClickError(_("Document inconnu : ce type de document n'est pas recherché."))
    if isinstance(position, bool) or not isinstance(position, int):
        raise ClickError(_("Position invalide : un nombre entier est attendu."))
    if not 1 <= position <= MAX_POSITION:
        raise ClickError(
            _("Position invalide : elle doit être comprise entre 1 et %(max)s.")
            % {"max": MAX_POSITION}
        )
    if not isinstance(query, str) or len(query) > MAX_QUERY_LENGTH:
        raise ClickError(
            _("Recherche invalide : %(max)s caractères au plus.") % {"max": MAX_QUERY_LENGTH}
        )
    if has_control_characters(query):
        raise ClickError(_("Recherche invalide : elle contient des caractères de contrôle."))
    normalised = normalise_query(query)
    if not normalised:
        raise ClickError(_("Recherche invalide : elle est vide."))
    return normalised


def click_record(
    *,
    query: str,
    key: str,
    position: int,
    first: bool = False,
    day: datetime.date | None = None,
) -> None:
    """Count one click on the result ``key`` shown at ``position`` (1-based) for
    ``query``; ``first`` when it is the first click of that search. Raises
    ClickError, with nothing written, when an argument is invalid.

    Race-safe like SearchQueryDay's counter: get_or_create (which falls back to a
    get when a concurrent insert wins the unique constraint), then an UPDATE with
    F() increments. ``bulk_create(update_conflicts=True)`` cannot increment."""
    normalised = _validated(query=query, key=key, position=position)
    day = day or timezone.localdate()
    row, created = SearchClick.objects.get_or_create(
        day=day,
        query=normalised,
        key=key,
        defaults={"clicks": 1, "position_sum": position, "first_clicks": int(first)},
    )
    if not created:
        SearchClick.objects.filter(pk=row.pk).update(
            clicks=F("clicks") + 1,
            position_sum=F("position_sum") + position,
            first_clicks=F("first_clicks") + int(first),
        )
