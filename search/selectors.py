"""Search analytics for editors: the one report (searches, queries without results,
clicks on results), on screen and as CSV. Everything is read from aggregated
counters (SearchQueryDay, SearchClick): no user data."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SearchClick, SearchEntry, SearchQueryDay
from .registry import adapters

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
CSV_LIMIT = 5000


@dataclass(frozen=True)
class DocumentClicks:
    key: str
    title: str
    url: str
    clicks: int
    position_sum: int

    @property
    def mean_position(self) -> float | None:
        return self.position_sum / self.clicks if self.clicks else None


@dataclass(frozen=True)
class QueryStat:
    query: str
    searches: int
    zero_results: int
    clicks: int = 0
    # Searches followed by at least one click (capped by searches: a page kept
    # open across midnight, or served from the browser's cache, may click later).
    clicked_searches: int = 0
    position_sum: int = 0
    documents: tuple[DocumentClicks, ...] = field(default=())

    @property
    def ctr(self) -> float | None:
        """Click-through rate: searches with at least one click / searches."""
        return self.clicked_searches / self.searches if self.searches else None

    @property
    def ctr_percent(self) -> float | None:
        return _percent(self.ctr)

    @property
    def mean_position(self) -> float | None:
        return self.position_sum / self.clicks if self.clicks else None


def _percent(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def period_days(value: object) -> int:
    """One of PERIODS from a request parameter, the default otherwise."""
    try:
        days = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _since(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days - 1)


def _click_totals(*, since: datetime.date, queries: Iterable[str]) -> dict[str, dict]:
    rows = (
        SearchClick.objects.filter(day__gte=since, query__in=list(queries))
        .values("query")
        .annotate(clicks=Sum("clicks"), first=Sum("first_clicks"), positions=Sum("position_sum"))
    )
    return {row["query"]: row for row in rows}


def _with_clicks(
    rows: Iterable[dict], *, since: datetime.date, documents_per_query: int = 0
) -> list[QueryStat]:
    rows = list(rows)
    queries = [row["query"] for row in rows]
    clicks = _click_totals(since=since, queries=queries)
    documents = (
        _top_documents(since=since, queries=queries, limit=documents_per_query)
        if documents_per_query
        else {}
    )
    stats = []
    for row in rows:
        click = clicks.get(row["query"], {})
        stats.append(
            QueryStat(
                query=row["query"],
                searches=row["searches"],
                zero_results=row["zero"],
                clicks=click.get("clicks") or 0,
                clicked_searches=min(click.get("first") or 0, row["searches"]),
                position_sum=click.get("positions") or 0,
                documents=tuple(documents.get(row["query"], ())),
            )
        )
    return stats


def _top_documents(
    *, since: datetime.date, queries: list[str], limit: int
) -> dict[str, list[DocumentClicks]]:
    rows = (
        SearchClick.objects.filter(day__gte=since, query__in=queries)
        .values("query", "key")
        .annotate(clicks=Sum("clicks"), positions=Sum("position_sum"))
        .order_by("query", "-clicks", "key")
    )
    chosen: dict[str, list[dict]] = {}
    for row in rows:
        per_query = chosen.setdefault(row["query"], [])
        if len(per_query) < limit:
            per_query.append(row)
    described = documents_described(keys={r["key"] for rows in chosen.values() for r in rows})
    return {
        query: [
            DocumentClicks(
                key=row["key"],
                title=described.get(row["key"], (row["key"], ""))[0],
                url=described.get(row["key"], (row["key"], ""))[1],
                clicks=row["clicks"],
                position_sum=row["positions"],
            )
            for row in rows
        ]
        for query, rows in chosen.items()
    }


def documents_described(*, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Title and URL of each document key the cheap way: the database backend's
    copy (SearchEntry) first, then, for keys it does not hold (an engine-backed
    site, a document since removed), the kind's adapter. Keys that resolve to
    nothing visible are left out: the report shows the key itself."""
    keys = set(keys)
    found = {
        key: (title, url)
        for key, title, url in SearchEntry.objects.filter(key__in=keys).values_list(
            "key", "title", "url"
        )
    }
    missing: dict[str, list[str]] = {}
    for key in keys - found.keys():
        kind, _sep, object_id = key.partition(":")
        missing.setdefault(kind, []).append(object_id)
    registered = adapters()
    for kind, object_ids in missing.items():
        adapter = registered.get(kind)
        if adapter is None:
            continue
        try:
            objects = list(adapter.queryset().filter(pk__in=object_ids))
        except (ValueError, ValidationError):  # an id of the wrong type (forged key)
            continue
        for _obj, document in adapter.documents(objects):
            if document is not None:
                found[document.key] = (document.title, document.url)
    return found


def search_analytics(*, days: int = DEFAULT_PERIOD, limit: int = 25, documents: int = 3) -> dict:
    """The report: totals over the last ``days`` days, the most frequent queries
    (searches, zero results, clicks, click-through rate, mean click position, the
    documents most clicked for each), queries without results and a timeline."""
    since = _since(days)
    rows = SearchQueryDay.objects.filter(day__gte=since)
    grouped = rows.values("query").annotate(searches=Sum("searches"), zero=Sum("zero_results"))
    top = _with_clicks(
        grouped.order_by("-searches", "query")[:limit], since=since, documents_per_query=documents
    )
    zero = _with_clicks(
        grouped.filter(zero_results__gt=0).order_by("-zero", "query")[:limit], since=since
    )
    per_day = {
        row["day"]: row
        for row in rows.values("day").annotate(searches=Sum("searches"), zero=Sum("zero_results"))
    }
    clicks = SearchClick.objects.filter(day__gte=since)
    clicks_per_day = {
        row["day"]: row
        for row in clicks.values("day").annotate(clicks=Sum("clicks"), first=Sum("first_clicks"))
    }
    timeline = []
    for offset in range(days):
        day = since + datetime.timedelta(days=offset)
        row = per_day.get(day, {"searches": 0, "zero": 0})
        click = clicks_per_day.get(day, {"clicks": 0, "first": 0})
        timeline.append(
            {
                "day": day,
                "searches": row["searches"],
                "zero": row["zero"],
                "clicks": click["clicks"],
                "clicked": min(click["first"], row["searches"]),
            }
        )
    total = sum(entry["searches"] for entry in timeline)
    total_zero = sum(entry["zero"] for entry in timeline)
    clicked = sum(entry["clicked"] for entry in timeline)
    return {
        "days": days,
        "top": top,
        "zero": zero,
        "timeline": timeline,
        "peak": max((entry["searches"] for entry in timeline), default=0) or 1,
        "total": total,
        "total_zero": total_zero,
        "zero_rate_percent": _percent(total_zero / total if total else None),
        "total_clicks": sum(entry["clicks"] for entry in timeline),
        "clicked_searches": clicked,
        "ctr_percent": _percent(clicked / total if total else None),
    }


def search_analytics_csv_rows(*, days: int = DEFAULT_PERIOD) -> Iterator[list]:
    """The report as spreadsheet rows (header first), one per query of the period,
    most frequent first; to be written through core.csvsafe.csv_writer."""
    since = _since(days)
    grouped = (
        SearchQueryDay.objects.filter(day__gte=since)
        .values("query")
        .annotate(searches=Sum("searches"), zero=Sum("zero_results"))
        .order_by("-searches", "query")[:CSV_LIMIT]
    )
    yield [
        _("Recherche"),
        _("Recherches"),
        _("Sans résultat"),
        _("Clics"),
        _("Recherches suivies d'un clic"),
        _("Taux de clic (%)"),
        _("Position moyenne des clics"),
        _("Document le plus cliqué"),
        _("Titre du document"),
    ]
    for stat in _with_clicks(grouped, since=since, documents_per_query=1):
        document = stat.documents[0] if stat.documents else None
        yield [
            stat.query,
            stat.searches,
            stat.zero_results,
            stat.clicks,
            stat.clicked_searches,
            round(stat.ctr_percent, 1) if stat.ctr_percent is not None else "",
            round(stat.mean_position, 1) if stat.mean_position is not None else "",
            document.key if document else "",
            document.title if document else "",
        ]
