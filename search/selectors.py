"""Search analytics for editors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from .models import SearchQueryDay


@dataclass(frozen=True)
class QueryStat:
    query: str
    searches: int
    zero_results: int


def search_analytics(*, days: int = 30, limit: int = 25) -> dict:
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = SearchQueryDay.objects.filter(day__gte=since)
    top = (
        rows.values("query")
        .annotate(searches=Sum("searches"), zero=Sum("zero_results"))
        .order_by("-searches", "query")[:limit]
    )
    zero = (
        rows.filter(zero_results__gt=0)
        .values("query")
        .annotate(searches=Sum("searches"), zero=Sum("zero_results"))
        .order_by("-zero", "query")[:limit]
    )
    per_day = {
        row["day"]: row
        for row in rows.values("day").annotate(searches=Sum("searches"), zero=Sum("zero_results"))
    }
    timeline = []
    for offset in range(days):
        day = since + datetime.timedelta(days=offset)
        row = per_day.get(day, {"searches": 0, "zero": 0})
        timeline.append({"day": day, "searches": row["searches"], "zero": row["zero"]})
    peak = max((entry["searches"] for entry in timeline), default=0) or 1
    return {
        "days": days,
        "top": [QueryStat(r["query"], r["searches"], r["zero"]) for r in top],
        "zero": [QueryStat(r["query"], r["searches"], r["zero"]) for r in zero],
        "timeline": timeline,
        "peak": peak,
        "total": sum(entry["searches"] for entry in timeline),
        "total_zero": sum(entry["zero"] for entry in timeline),
    }
