"""Partner pages: each source's projects and figures, as anyone may see them."""

from __future__ import annotations

from dataclasses import dataclass

from innovations.models import ClaimStatus, ImportRun, RunStatus, Source
from innovations.selectors import projects_live

from .figures import Counts, project_counts


@dataclass
class PartnerSummary:
    source: Source
    projects: int


def partners() -> list[PartnerSummary]:
    """Every source that is active or still has projects anyone may see, with that
    count (a facet count of the search: hidden projects are not counted)."""
    counts = project_counts()
    by_slug = {item.value: item.count for item in counts.facet("source")}
    sources = Source.objects.select_related("logo").order_by("name")
    return [
        PartnerSummary(source, by_slug.get(source.slug, 0))
        for source in sources
        if source.active or by_slug.get(source.slug)
    ]


def partner_get(*, slug: str) -> Source | None:
    source = Source.objects.select_related("logo").filter(slug=slug).first()
    if source is None:
        return None
    if not source.active and not project_counts(source=(slug,)).total:
        return None
    return source


def last_synchronisation(*, source: Source) -> ImportRun | None:
    return (
        ImportRun.objects.filter(source=source, dry_run=False, finished_at__isnull=False)
        .exclude(status__in=[RunStatus.PENDING, RunStatus.RUNNING])
        .order_by("-finished_at")
        .first()
    )


def partner_figures(*, source: Source) -> dict:
    counts: Counts = project_counts(source=(source.slug,))
    claimed = (
        projects_live()
        .filter(source_records__source=source, claims__status=ClaimStatus.ACCEPTED)
        .distinct()
        .count()
    )
    total = counts.total
    return {
        "counts": counts,
        "total": total,
        "claimed": min(claimed, total),
        "claimed_percent": round(100 * min(claimed, total) / total) if total else 0,
        "by_domain": counts.facet("domain"),
        "by_region": counts.facet("region"),
        "last_run": last_synchronisation(source=source),
    }
