"""Theme and territory pages, generated from the taxonomy and the official
territories: ``/themes/<slug>/`` (a domain, or a sub-theme whose code's « . »
becomes « - »), ``/territoires/region/<code>/``, ``/territoires/departement/<code>/``
(INSEE codes are not unique across levels: the level is in the address)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from innovations.models import Territory, TerritoryLevel, Theme, ThemeDomain, localized_label

from ..models import TopicIntroduction, TopicKind
from .figures import Counts, project_counts, visible_counts
from .gaps import who_acts
from .listing import listing
from .picks import selection_picks


def theme_slug(code: str) -> str:
    return code.replace(".", "-")


def theme_path(code: str) -> str:
    return reverse("curation:theme", kwargs={"slug": theme_slug(code)})


def territory_path(level: str, code: str) -> str:
    return reverse("curation:territory", kwargs={"level": level, "code": code})


@dataclass
class Topic:
    kind: str  # TopicKind
    code: str
    title: str
    facet: str  # the search facet that holds it
    description: str = ""
    parent: tuple[str, str] | None = None  # (title, url)
    children: list[tuple[str, str, str]] = field(default_factory=list)  # (code, title, url)
    population: int | None = None

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        return {self.facet: (self.code,)}


def topic_for_theme(*, slug: str) -> Topic | None:
    domain = ThemeDomain.objects.filter(code=slug).first()
    if domain is not None:
        return Topic(
            kind=TopicKind.DOMAIN,
            code=domain.code,
            title=localized_label(domain.label, domain.label_en),
            facet="domain",
            description=domain.description,
            children=[
                (theme.code, localized_label(theme.label, theme.label_en), theme_path(theme.code))
                for theme in domain.themes.order_by("sort_order", "label")
            ],
        )
    theme = next(
        (t for t in Theme.objects.select_related("domain") if theme_slug(t.code) == slug), None
    )
    if theme is None:
        return None
    return Topic(
        kind=TopicKind.THEME,
        code=theme.code,
        title=localized_label(theme.label, theme.label_en),
        facet="theme",
        parent=(
            localized_label(theme.domain.label, theme.domain.label_en),
            theme_path(theme.domain.code),
        ),
    )


def topic_for_territory(*, level: str, code: str) -> Topic | None:
    if level not in (TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT):
        return None
    territory = Territory.objects.filter(level=level, code=code).select_related("parent").first()
    if territory is None:
        return None
    topic = Topic(
        kind=level,
        code=territory.code,
        title=territory.name,
        facet=level,
        population=territory.population,
    )
    if level == TerritoryLevel.DEPARTEMENT:
        region = Territory.objects.filter(
            level=TerritoryLevel.REGION, code=territory.region_code
        ).first()
        if region is not None:
            topic.parent = (region.name, territory_path(TerritoryLevel.REGION, region.code))
    else:
        topic.children = [
            (d.code, f"{d.name} ({d.code})", territory_path(TerritoryLevel.DEPARTEMENT, d.code))
            for d in Territory.objects.filter(
                level=TerritoryLevel.DEPARTEMENT, region_code=territory.code
            ).order_by("code")
        ]
    return topic


def _children_counts(topic: Topic, counts: Counts) -> list[dict]:
    facet = {
        TopicKind.DOMAIN: "theme",
        TopicKind.REGION: "departement",
    }.get(topic.kind)
    if facet is None:
        return []
    by_code = {item.value: item.count for item in counts.facets.get(facet, [])}
    return [
        {"code": code, "title": title, "url": url, "count": by_code.get(code, 0)}
        for code, title, url in topic.children
    ]


def topic_figures(*, topic: Topic) -> tuple[Counts, dict]:
    """The topic's project counts and its key figures (« En chiffres »): one routine
    for the page and the portrait, so that both show the same numbers."""
    counts = project_counts(**topic.filters)
    everything = visible_counts(filters=topic.filters)
    return counts, {
        "projects": counts.total,
        "communities": everything.of("kind", "community"),
        "events": everything.of("kind", "event"),
        "partners": len(counts.facet("source")),
    }


def is_territory(topic: Topic) -> bool:
    return topic.kind in (TopicKind.REGION, TopicKind.DEPARTEMENT)


def topic_context(*, topic: Topic, user) -> dict:
    intro = TopicIntroduction.objects.filter(kind=topic.kind, code=topic.code).first()
    counts, figures = topic_figures(topic=topic)
    territory = is_territory(topic)
    breakdown_facet = "domain" if territory else "region"
    return {
        "topic": topic,
        "introduction": intro,
        "picks": selection_picks(selection=intro.selection, user=user) if intro else [],
        "projects": listing(user=user, filters={"kind": ("project",), **topic.filters}),
        "communities": listing(
            user=user, filters={"kind": ("community",), **topic.filters}, limit=6
        ),
        "events": listing(user=user, filters={"kind": ("event",), **topic.filters}, limit=6),
        "counts": counts,
        "figures": figures,
        # « Qui agit ici » (issue 16): every domain, with its count on the territory.
        "who_acts": who_acts(
            facet=topic.facet, code=topic.code, counts=counts, population=topic.population
        )
        if territory
        else [],
        "breakdown_title": _("Projets par domaine")
        if breakdown_facet == "domain"
        else _("Projets par région"),
        "breakdown": counts.facet(breakdown_facet),
        "breakdown_facet": breakdown_facet,
        "children": _children_counts(topic, counts),
        "available": counts.available,
    }
