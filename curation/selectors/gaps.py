"""« Qui agit ici » and the gaps maps of territory and domain pages (issue 16), for
public bodies: where a theme is thin, in projects per 100,000 inhabitants.

Every count is a facet count of the anonymous search (figures.py): a draft, a
restricted page or a hidden field is never counted. Populations are the
départements' and régions' own (innovations/data/territories/, the INSEE figures of
the official territories package), never a sum of the communes loaded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import page_cache
from innovations.models import Territory, TerritoryLevel, ThemeDomain, localized_label
from search.query import SearchQuery

from .figures import Counts, project_counts
from .maps import choropleth, overseas_only

PER = 100_000


def domains() -> list[tuple[str, str]]:
    """(code, label) of every theme domain, in the taxonomy's order."""
    return [
        (domain.code, localized_label(domain.label, domain.label_en))
        for domain in ThemeDomain.objects.order_by("sort_order", "label")
    ]


def search_url(filters: dict[str, tuple[str, ...]]) -> str:
    """The search page filtered on ``filters`` (projects only)."""
    query = SearchQuery(filters={"kind": ("project",), **filters})
    return f"{reverse('search:search')}?{urlencode(query.to_params())}"


def rate(projects: int, population: int | None) -> float | None:
    """Projects per 100,000 inhabitants (four decimals: a national rate of a few
    projects is tiny); None without a population."""
    if not population:
        return None
    return round(projects * PER / population, 4)


def rate_text(value: float | None) -> str:
    """« 3,5 » in French (« 3.5 » in English); « 0,87 » below one — a région's rare
    projects would all read « 0,0 » with one decimal —; « < 0,01 »; « 0 » for none;
    « — » without a population."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if value < 0.01:
        return "< " + formats.number_format(0.01, 2, use_l10n=True)
    digits = 1 if value >= 1 else 2
    # number_format cuts the decimals off: round first.
    return formats.number_format(round(value, digits), digits, use_l10n=True)


@dataclass
class DomainCount:
    code: str
    label: str
    count: int
    search_url: str  # the search on the territory and the domain
    page_url: str  # the domain's page
    per_100k: float | None = None

    @property
    def per_100k_text(self) -> str:
        return rate_text(self.per_100k)


def who_acts(
    *, facet: str, code: str, counts: Counts, population: int | None = None
) -> list[DomainCount]:
    """Projects of the territory (``facet``, ``code``) by theme domain, every domain
    listed (a domain nobody works on here is a gap too), from the territory's own
    facet counts (``counts``: project_counts on the territory)."""
    return [
        DomainCount(
            code=domain,
            label=label,
            count=counts.of("domain", domain),
            search_url=search_url({facet: (code,), "domain": (domain,)}),
            page_url=reverse("curation:theme", kwargs={"slug": domain}),
            per_100k=rate(counts.of("domain", domain), population),
        )
        for domain, label in domains()
    ]


def most_represented(rows: list[DomainCount]) -> str | None:
    """The domain with the most projects (the gaps map's default), else the first."""
    if not rows:
        return None
    best = max(rows, key=lambda row: row.count)
    return best.code if best.count else rows[0].code


@dataclass
class GapRow:
    code: str
    name: str
    projects: int
    population: int | None
    url: str  # that département's page, on the same domain
    current: bool = False

    @property
    def per_100k(self) -> float | None:
        return rate(self.projects, self.population)

    @property
    def per_100k_text(self) -> str:
        return rate_text(self.per_100k)


@dataclass
class Gaps:
    domain: str
    domain_label: str
    scope_label: str  # « Nouvelle-Aquitaine », « France entière »
    rows: list[GapRow] = field(default_factory=list)
    available: bool = True
    map: dict | None = None

    @property
    def current_rows(self) -> list[GapRow]:
        return [row for row in self.rows if row.current]

    @property
    def folded(self) -> bool:
        """France-wide, the table is long: folded under the map (still in the page)."""
        return len(self.rows) > 20

    @property
    def projects(self) -> int:
        return sum(row.projects for row in self.rows)

    @property
    def population(self) -> int:
        return sum(row.population or 0 for row in self.rows)

    @property
    def per_100k(self) -> float | None:
        return rate(self.projects, self.population)

    @property
    def per_100k_text(self) -> str:
        return rate_text(self.per_100k)


def _departement_counts(domain: str) -> tuple[dict[str, int], bool]:
    """Projects of ``domain`` by département, France-wide: one search (the
    département facet is counted without its own filter), shared by every page."""

    def build():
        counts = project_counts(domain=(domain,))
        return {item.value: item.count for item in counts.facet("departement")}, counts.available

    return page_cache.cached_fragment(
        "gaps-departements", (domain,), build, keep=lambda value: value[1]
    )


def gaps(
    *,
    domain: str,
    region: str | None = None,
    current: Collection[str] = (),
    with_map: bool = True,
) -> Gaps | None:
    """Projects of ``domain`` per 100,000 inhabitants by département: those of
    ``region``, or all of them (``current`` outlined). None for an unknown domain."""
    label = dict(domains()).get(domain)
    if label is None:
        return None
    by_departement, available = _departement_counts(domain)
    territories = Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT)
    if region is not None:
        territories = territories.filter(region_code=region)
        region_name = (
            Territory.objects.filter(level=TerritoryLevel.REGION, code=region)
            .values_list("name", flat=True)
            .first()
        )
        scope_label = region_name or region
    else:
        scope_label = _("France entière")

    def page(code: str) -> str:
        path = reverse("curation:territory", kwargs={"level": "departement", "code": code})
        return f"{path}?{urlencode({'domaine': domain})}#manques"

    rows = [
        GapRow(
            code=code,
            name=name,
            projects=by_departement.get(code, 0),
            population=population,
            url=page(code),
            current=code in current,
        )
        for code, name, population in territories.order_by("code").values_list(
            "code", "name", "population"
        )
    ]
    found = Gaps(
        domain=domain, domain_label=label, scope_label=scope_label, rows=rows, available=available
    )
    if with_map and not overseas_only(row.code for row in rows):
        found.map = gaps_map(found, scoped=region is not None)
    return found


def describe_rate(name: str, projects: int, per_100k: float | None) -> str:
    count = ngettext("%(count)s projet", "%(count)s projets", projects) % {"count": projects}
    if per_100k is None:
        return _("%(name)s : %(count)s (population inconnue)") % {"name": name, "count": count}
    return _("%(name)s : %(rate)s pour 100 000 habitants (%(count)s)") % {
        "name": name,
        "rate": rate_text(per_100k),
        "count": count,
    }


def gaps_map(found: Gaps, *, scoped: bool) -> dict | None:
    """The choropleth of the rates; its accessible names give rate and count."""
    by_code = {row.code: row for row in found.rows}
    by_name = {row.name: row for row in found.rows}
    values = {row.code: row.per_100k or 0.0 for row in found.rows}

    def describe(name: str, _value: float) -> str:
        row = by_name.get(name)
        return describe_rate(name, row.projects, row.per_100k) if row else name

    return choropleth(
        level="departement",
        counts=values,
        names={row.code: row.name for row in found.rows},
        url=lambda code: by_code[code].url if code in by_code else "",
        describe=describe,
        title=_("%(domain)s : projets pour 100 000 habitants") % {"domain": found.domain_label},
        current={row.code for row in found.rows if row.current},
        scope=set(by_code) if scoped else None,
    )


def gaps_csv_rows(found: Gaps):
    """The table as CSV rows (header first): figures as numbers, not text."""
    yield [
        _("Code"),
        _("Département"),
        _("Projets (%(domain)s)") % {"domain": found.domain_label},
        _("Population"),
        _("Projets pour 100 000 habitants"),
    ]
    for row in found.rows:
        yield [row.code, row.name, row.projects, row.population, row.per_100k]
