"""How communities and their events become search documents, and the principals
that let members find what is theirs (registered in CommunitiesConfig.ready).

Who finds what follows communities/permissions.py:

- a **public** community and its events: anyone (``public``);
- a **private** community is listed: its document is public; its events are
  content, for its members (``community:<id>``);
- a **secret** community and its events: its members only;
- editors (``communities.change_community``) find everything
  (``role:community_editor``); proposed and archived communities, and cancelled
  events, are not searchable.

The principals are computed at each search from the memberships (``search_principals``):
someone who leaves, is removed or banned stops finding the private content at once,
no document needs rewriting. What changes a document — the community's visibility,
status, themes or places, an event created, moved or cancelled — re-indexes it
after the commit through search/'s generic save signals and ``dependencies()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from cms.blocks import stream_text
from innovations.models import Territory, TerritoryLevel, Theme, ThemeDomain
from innovations.selectors import territory_point
from search.documents import PUBLIC, SearchDocument
from search.registry import DocumentAdapter

from .models import Community, CommunityTerritory, Event, Kind, Status, Visibility
from .notify import _event_when
from .paths import community_path, event_path
from .permissions import community_principals, is_community_editor

EDITOR_PRINCIPAL = "role:community_editor"
SUMMARY_LENGTH = 300


def community_principal(community_id: int) -> str:
    return f"community:{community_id}"


def search_principals(user) -> set[str]:
    """What ``user`` holds besides the search's own principals: ``community:<id>`` for
    each community they are an active member of, and the editors' principal."""
    principals = community_principals(user)
    if is_community_editor(user):
        principals.add(EDITOR_PRINCIPAL)
    return principals


def _members_only(community: Community) -> list[str]:
    return [community_principal(community.pk), EDITOR_PRINCIPAL]


def _community_visibility(community: Community) -> list[str]:
    if community.visibility == Visibility.SECRET:
        return _members_only(community)
    return [PUBLIC]


def _content_visibility(community: Community) -> list[str]:
    if community.visibility == Visibility.PUBLIC:
        return [PUBLIC]
    return _members_only(community)


# --- what both kinds share: themes and places --------------------------------------


def _themes(community: Community) -> tuple[list[str], list[str], list[str]]:
    """(domain codes, sub-theme codes, French labels) of the community."""
    themes = list(community.themes.all())
    domains = {d.code: d for d in community.theme_domains.all()}
    for theme in themes:
        domains.setdefault(theme.domain.code, theme.domain)
    # French labels (label_fr): the index is French whatever the request's language.
    labels = sorted({d.label_fr for d in domains.values()} | {t.label_fr for t in themes})
    return list(domains), [t.code for t in themes], labels


def _places(territories: list[Territory]) -> tuple[list[str], list[str], list[str]]:
    """(région codes, département codes, names from the place up to its région)."""
    regions: list[str] = []
    departements: list[str] = []
    names: list[str] = []
    for territory in territories:
        chain = [territory]
        while chain[-1].parent_id is not None:
            chain.append(chain[-1].parent)
        for item in chain:
            names.append(item.name)
            if item.level == TerritoryLevel.REGION:
                regions.append(item.code)
            elif item.level == TerritoryLevel.DEPARTEMENT:
                departements.append(item.code)
        if territory.region_code:
            regions.append(territory.region_code)
        if territory.departement_code:
            departements.append(territory.departement_code)
    return (
        list(dict.fromkeys(regions)),
        list(dict.fromkeys(departements)),
        list(dict.fromkeys(names)),
    )


def _points(territories: list[Territory]) -> list[tuple[float, float]]:
    """The position of each place (a région or a département: its centre)."""
    points = []
    for territory in territories:
        point = territory_point(territory)
        if point is not None:
            points.append((point[0], point[1]))
    return list(dict.fromkeys(points))


def _territories(community: Community) -> list[Territory]:
    return [link.territory for link in community.territory_links.all()]


def _text(html: str) -> str:
    """Readable text of a rich text field (the one conversion, cms.blocks.stream_text)."""
    return stream_text([{"type": "paragraph", "value": html}]) if html else ""


def _territory_links() -> QuerySet[CommunityTerritory]:
    return CommunityTerritory.objects.select_related("territory__parent__parent").order_by(
        "sort_order", "pk"
    )


class CommunityAdapter(DocumentAdapter):
    kind = "community"
    label = gettext_lazy("Communauté")
    model = Community
    similar_facets = ("theme", "region", "community_kind")

    def queryset(self) -> QuerySet[Community]:
        return Community.objects.prefetch_related(
            Prefetch("themes", queryset=Theme.objects.select_related("domain")),
            "theme_domains",
            Prefetch("territory_links", queryset=_territory_links()),
        )

    def document(self, community: Community) -> SearchDocument | None:
        if community.status != Status.ACTIVE:
            return None
        domains, themes, theme_labels = _themes(community)
        territories = _territories(community)
        regions, departements, places = _places(territories)
        with translation.override(settings.LANGUAGE_CODE):
            kind_label = str(Kind(community.kind).label) if community.kind in Kind.values else ""
        return SearchDocument(
            kind=self.kind,
            object_id=str(community.pk),
            url=community_path(community),
            title=community.name,
            summary=community.short_description,
            body="\n\n".join(filter(None, [_text(community.presentation), community.charter])),
            keywords=[*theme_labels, *places, kind_label],
            facets={
                "domain": domains,
                "theme": themes,
                "region": regions,
                "departement": departements,
                "community_kind": [community.kind],
                "join_policy": [community.join_policy],
            },
            # Territorial communities show on the search map, at their places' centre.
            points=_points(territories),
            published_at=community.created_at,
            updated_at=community.updated_at,
            visibility=_community_visibility(community),
            display={"labels": theme_labels, "places": places, "kind_label": kind_label},
        )

    def dependencies(self):
        return {
            CommunityTerritory: lambda link: [link.community_id],
            Theme: lambda theme: Community.objects.filter(themes=theme).values_list(
                "pk", flat=True
            ),
            ThemeDomain: lambda domain: Community.objects.filter(theme_domains=domain).values_list(
                "pk", flat=True
            ),
        }


class EventAdapter(DocumentAdapter):
    kind = "event"
    label = gettext_lazy("Événement")
    model = Event
    similar_facets = ("theme", "departement", "region")

    def queryset(self) -> QuerySet[Event]:
        return Event.objects.select_related(
            "community", "commune__parent__parent"
        ).prefetch_related(
            Prefetch("community__themes", queryset=Theme.objects.select_related("domain")),
            "community__theme_domains",
            Prefetch("community__territory_links", queryset=_territory_links()),
        )

    def document(self, event: Event) -> SearchDocument | None:
        community = event.community
        if event.cancelled or community.status != Status.ACTIVE:
            return None
        domains, themes, theme_labels = _themes(community)
        # Where the event takes place; without a commune (an address, online), the
        # community's places.
        territories = [event.commune] if event.commune_id else _territories(community)
        regions, departements, places = _places(territories)
        with translation.override(settings.LANGUAGE_CODE):
            when = _event_when(event)
        description = Truncator(" ".join(event.description.split())).chars(SUMMARY_LENGTH)
        return SearchDocument(
            kind=self.kind,
            object_id=str(event.pk),
            url=event_path(event),
            title=event.title,
            summary=" ".join(filter(None, [when, community.name + ".", description])),
            body="\n\n".join(filter(None, [event.description, event.address])),
            # Neither the community's name (a search for it finds the community
            # first) nor its themes (a theme's query finds its projects and
            # communities before dated events): the facets still filter on them.
            keywords=places,
            facets={
                "domain": domains,
                "theme": themes,
                "region": regions,
                "departement": departements,
            },
            points=_points([event.commune]) if event.commune_id else [],
            published_at=event.created_at,
            updated_at=event.updated_at,
            visibility=_content_visibility(community),
            display={
                "labels": theme_labels,
                "places": places,
                "community": community.name,
                "start": event.start.isoformat(),
            },
        )

    def dependencies(self):
        # A community made private or secret, archived, or given other themes or
        # places changes its events' documents too.
        def events_of(community: Community):
            return Event.objects.filter(community_id=community.pk).values_list("pk", flat=True)

        return {
            Community: events_of,
            CommunityTerritory: lambda link: Event.objects.filter(
                community_id=link.community_id
            ).values_list("pk", flat=True),
            Theme: lambda theme: Event.objects.filter(community__themes=theme).values_list(
                "pk", flat=True
            ),
        }
