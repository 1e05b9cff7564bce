"""Paginated JSON HTTP APIs, for scheduled syncs of a partner's feed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..mapping import get_path
from .base import ImportFileError, ReadResult, Record, _columns
from .structured import _items, _parse_json, _records_from_items


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
