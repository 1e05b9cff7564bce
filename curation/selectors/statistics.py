"""/statistiques/: the pooled data at a glance, computed from the search's visible set
(curation/selectors/figures.py) — projects by source, theme domain, région,
département, stage, public and month of publication; communities and members over
time. Each dataset is a table (the accessible form, and the CSV) that the page also
draws as a chart or a map."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Membership, MembershipState
from communities.permissions import community_visible_to
from core import page_cache
from innovations.models import Territory

from .figures import Counts, project_counts, visible_counts, visible_members_count
from .maps import choropleth

MONTHS_SHOWN = 24


@dataclass
class Dataset:
    slug: str
    title: str
    column: str  # heading of the label column
    chart: str  # "bar", "line" or "map"
    rows: list[tuple[str, int, str]] = field(default_factory=list)  # label, value, url
    value_label: str = ""
    map: dict | None = None

    @property
    def total(self) -> int:
        return sum(value for _label, value, _url in self.rows)

    def chart_data(self) -> dict:
        return {
            "type": "line" if self.chart == "line" else "bar",
            "labels": [label for label, _value, _url in self.rows],
            "values": [value for _label, value, _url in self.rows],
            "label": self.value_label,
        }


def _search_url(**params: str) -> str:
    return f"{reverse('search:search')}?{urlencode({'type': 'project', **params})}"


def _facet_rows(counts: Counts, facet: str, param: str) -> list[tuple[str, int, str]]:
    return [
        (item.label, item.count, _search_url(**{param: item.value})) for item in counts.facet(facet)
    ]


def _months(now: datetime.date | None = None) -> list[str]:
    today = now or timezone.localdate()
    months = []
    year, month = today.year, today.month
    for _i in range(MONTHS_SHOWN):
        months.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _month_rows(counts: Counts) -> list[tuple[str, int, str]]:
    by_month = {item.value: item.count for item in counts.facet("month")}
    return [(month, by_month.get(month, 0), "") for month in _months()]


def _members_by_month() -> list[tuple[str, int, str]]:
    """Members who joined a community anyone may see, by month (first join of each
    person only: someone who joins three communities is one new member)."""
    first_joins = (
        Membership.objects.filter(
            state=MembershipState.ACTIVE,
            community__in=community_visible_to(user=AnonymousUser()),
            joined_at__isnull=False,
            user__is_active=True,
        )
        .values("user")
        .annotate(first=TruncMonth("joined_at"))
        .values("user", "first")
    )
    by_month: dict[str, set[int]] = {}
    for row in first_joins:
        by_month.setdefault(row["first"].strftime("%Y-%m"), set()).add(row["user"])
    seen: set[int] = set()
    counts: dict[str, int] = {}
    for month in sorted(by_month):
        new = by_month[month] - seen
        seen |= new
        counts[month] = len(new)
    return [(month, counts.get(month, 0), "") for month in _months()]


def _territory_names(level: str) -> dict[str, str]:
    return dict(Territory.objects.filter(level=level).values_list("code", "name"))


def territory_map(*, level: str, counts: Counts, title: str) -> dict | None:
    """The choropleth of projects per ``level`` (« departement » or « region »)."""
    values = {item.value: item.count for item in counts.facet(level)}
    names = _territory_names(level)

    def describe(name: str, count: int) -> str:
        return ngettext("%(name)s : %(count)s projet", "%(name)s : %(count)s projets", count) % {
            "name": name,
            "count": count,
        }

    return choropleth(
        level=level,
        counts=values,
        names=names,
        url=lambda code: reverse("curation:territory", kwargs={"level": level, "code": code}),
        describe=describe,
        title=title,
    )


def statistics(*, with_maps: bool = True) -> dict:
    """Every dataset; ``with_maps=False`` leaves the SVG maps out (a CSV needs rows).
    Cached until the content changes (core/page_cache.py), per language."""
    return page_cache.cached_fragment(
        "statistics",
        (translation.get_language(), with_maps),
        lambda: _statistics(with_maps=with_maps),
        keep=lambda value: value["available"],
    )


def _statistics(*, with_maps: bool) -> dict:

    def territory_map_of(level: str, title: str) -> dict | None:
        return territory_map(level=level, counts=projects, title=title) if with_maps else None

    projects = project_counts()
    communities = visible_counts(filters={"kind": ("community",)})
    per_project = _("Projets")
    datasets = [
        Dataset(
            "sources",
            _("Projets par source"),
            _("Source"),
            "bar",
            _facet_rows(projects, "source", "source"),
            per_project,
        ),
        Dataset(
            "domaines",
            _("Projets par domaine"),
            _("Domaine"),
            "bar",
            _facet_rows(projects, "domain", "domaine"),
            per_project,
        ),
        Dataset(
            "regions",
            _("Projets par région"),
            _("Région"),
            "map",
            _facet_rows(projects, "region", "region"),
            per_project,
            territory_map_of("region", _("Projets par région")),
        ),
        Dataset(
            "departements",
            _("Projets par département"),
            _("Département"),
            "map",
            _facet_rows(projects, "departement", "departement"),
            per_project,
            territory_map_of("departement", _("Projets par département")),
        ),
        Dataset(
            "stades",
            _("Projets par stade"),
            _("Stade"),
            "bar",
            _facet_rows(projects, "stage", "stade"),
            per_project,
        ),
        Dataset(
            "publics",
            _("Projets par public"),
            _("Public"),
            "bar",
            _facet_rows(projects, "public", "public"),
            per_project,
        ),
        Dataset(
            "publications",
            _("Projets publiés par mois"),
            _("Mois"),
            "line",
            _month_rows(projects),
            per_project,
        ),
        Dataset(
            "communautes",
            _("Communautés créées par mois"),
            _("Mois"),
            "line",
            _month_rows(communities),
            _("Communautés"),
        ),
        Dataset(
            "membres",
            _("Nouveaux membres des communautés par mois"),
            _("Mois"),
            "line",
            _members_by_month(),
            _("Membres"),
        ),
    ]
    return {
        "available": projects.available,
        "projects_total": projects.total,
        "communities_total": communities.total,
        "members_total": visible_members_count(),
        "partners_total": len(projects.facet("source")),
        "departements_total": len(projects.facet("departement")),
        "datasets": datasets,
    }


def dataset(slug: str) -> Dataset | None:
    return next((d for d in statistics(with_maps=False)["datasets"] if d.slug == slug), None)
