"""How projects become search documents, and the labels, suggestions and places
the search engine needs from this app (registered in InnovationsConfig.ready)."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.models import Site

from cms.blocks import stream_text
from core.text import fold
from search.concepts import ConceptEntry, ConceptMatcher
from search.documents import SearchDocument
from search.pages import Restrictions
from search.query import Place, PlaceChoice, PlaceResolution
from search.registry import Concept, DocumentAdapter, Suggestion

from .models import (
    Openness,
    ProjectLocation,
    ProjectPage,
    ProjectSourceRecord,
    Public,
    ReplicationSheet,
    Source,
    Territory,
    TerritoryLevel,
    Theme,
    ThemeDomain,
    localized_label,
)
from .opendata import project_field_access, project_points
from .selectors import (
    arrondissement_city,
    territories_autocomplete,
    territory_label,
    territory_point,
    territory_resolve,
)

TERRITORY_CHAIN = ("territory", "territory__parent", "territory__parent__parent")
TERRITORY_FIELDS = (
    "level",
    "code",
    "name",
    "parent_id",
    "region_code",
    "departement_code",
    "latitude",
    "longitude",
)


class ProjectAdapter(DocumentAdapter):
    kind = "project"
    label = gettext_lazy("Projet")  # the facet value's label, in the reader's language
    model = ProjectPage
    news = True  # « Plus récents »: by publication date
    similar_facets = ("departement", "region", "theme")

    def queryset(self) -> QuerySet[ProjectPage]:
        return ProjectPage.objects.select_related(
            "main_image", "replication_sheet"
        ).prefetch_related(
            Prefetch("themes", queryset=Theme.objects.select_related("domain")),
            "publics",
            "tagged_items__tag",
            Prefetch(
                "locations",
                queryset=ProjectLocation.objects.select_related("territory__parent__parent").only(
                    "page_id",
                    "latitude",
                    "longitude",
                    "sort_order",
                    *(
                        f"{prefix}__{name}"
                        for prefix in TERRITORY_CHAIN
                        for name in TERRITORY_FIELDS
                    ),
                ),
            ),
            # Only what documents read: the record's last imported values (large
            # JSON) would cost more to decode than the rest of the document.
            Prefetch(
                "source_records",
                queryset=ProjectSourceRecord.objects.select_related("source").only(
                    "project_id", "present", "source__slug", "source__field_openness"
                ),
            ),
        )

    def documents(self, objects):
        # The view restrictions and site roots once for the whole batch.
        restrictions = Restrictions()
        roots = Site.get_site_root_paths()
        return [
            (project, self.document(project, restrictions=restrictions, roots=roots))
            for project in objects
        ]

    def document(
        self, project: ProjectPage, *, restrictions: Restrictions | None = None, roots=None
    ) -> SearchDocument | None:
        """The project as anyone may find it. Only open-data fields go into the index
        (innovations/opendata.py): whoever searches, results, suggestions, exports
        and feeds never carry a field its source keeps for members or partners."""
        if not project.live:
            return None
        visibility = (restrictions or Restrictions()).visibility(project)
        if not visibility:
            return None
        access = project_field_access(project=project, level=Openness.OPEN)
        url = project.url if roots is None or len(roots) != 1 else None
        if url is None:
            # One site: the page's path below the site root, as Wagtail gives it
            # (without its per-call cache lookups).
            root = roots[0].root_path
            url = (
                "/" + project.url_path[len(root) :]
                if project.url_path.startswith(root)
                else project.url
            )
        themes = list(project.themes.all()) if access["themes"] else []
        departements, regions, labels = [], [], []
        locations = list(project.locations.all()) if access["locations"] else []
        for location in locations:
            territory = location.territory
            chain = [territory]
            while chain[-1].parent_id is not None:
                chain.append(chain[-1].parent)
            for item in chain:
                labels.append(item.name)
                if item.level == TerritoryLevel.COMMUNE:
                    continue
                if item.level == TerritoryLevel.DEPARTEMENT:
                    departements.append(item.code)
                else:
                    regions.append(item.code)
            if territory.region_code:
                regions.append(territory.region_code)
            if territory.departement_code:
                departements.append(territory.departement_code)
        points = [(lat, lon) for lat, lon, _loc in project_points(project=project, access=access)]
        image_url = ""
        if project.main_image_id:
            try:
                image_url = project.main_image.get_rendition("fill-400x240|format-webp").url
            except Exception:  # a missing file must not keep the project out of search
                image_url = ""
        # French labels (label_fr): the index is French whatever the language of the
        # request that saved the project (innovations/models/taxonomy.py).
        theme_labels = sorted({t.domain.label_fr for t in themes} | {t.label_fr for t in themes})
        places = list(dict.fromkeys(labels))
        tags = [item.tag.name for item in project.tagged_items.all()] if access["tags"] else []
        readiness = replication_readiness(project)
        return SearchDocument(
            kind=self.kind,
            object_id=str(project.pk),
            url=url or "",
            title=project.title,
            summary=project.summary if access["summary"] else "",
            body=" ".join(
                filter(
                    None,
                    [
                        project.structure_name if access["structure_name"] else "",
                        stream_text(project.body) if access["description"] else "",
                    ],
                )
            ),
            keywords=[*theme_labels, *places, *tags],
            # The facets declared in innovations/search_facets.py.
            facets={
                "domain": [t.domain.code for t in themes],
                "theme": [t.code for t in themes],
                "region": regions,
                "departement": departements,
                "public": [p.code for p in project.publics.all()] if access["publics"] else [],
                "stage": [project.stage] if access["stage"] else [],
                "structure": [project.legal_status] if access["legal_status"] else [],
                "source": [record.source.slug for record in project.source_records.all()],
                "scale": [project.scale] if access["scale"] else [],
                "year": [project.year_started] if access["year_started"] else [],
                "essaimage": [readiness] if readiness else [],
            },
            points=points,
            published_at=project.first_published_at,
            updated_at=project.last_published_at,
            visibility=visibility,
            display={
                "labels": theme_labels,
                # The codes behind the labels: result cards read them in the reader's
                # language (search/views/page.py), the index stays French.
                "label_codes": [
                    *(["domain", code] for code in sorted({t.domain.code for t in themes})),
                    *(["theme", t.code] for t in sorted(themes, key=lambda t: t.code)),
                ],
                "places": places,
                "tags": tags,
                "image_url": image_url,
            },
        )

    def dependencies(self):
        return {
            ProjectSourceRecord: lambda record: [record.project_id],
            ReplicationSheet: lambda sheet: [sheet.project_id],
            Theme: lambda theme: ProjectPage.objects.filter(themes=theme).values_list(
                "pk", flat=True
            ),
            ThemeDomain: lambda domain: ProjectPage.objects.filter(
                themes__domain=domain
            ).values_list("pk", flat=True),
            Public: lambda public: ProjectPage.objects.filter(publics=public).values_list(
                "pk", flat=True
            ),
            Source: lambda source: ProjectPage.objects.filter(
                source_records__source=source
            ).values_list("pk", flat=True),
        }


def replication_readiness(project: ProjectPage) -> str:
    """The readiness of the project's replication sheet, or "" (no sheet yet)."""
    try:
        sheet = project.replication_sheet
    except ReplicationSheet.DoesNotExist:
        return ""
    return sheet.readiness


def suggest_themes_and_places(text: str, limit: int) -> list[Suggestion]:
    folded = fold(text)
    suggestions = [
        Suggestion(label=domain.label, category="theme", param="domaine", value=domain.code)
        for domain in ThemeDomain.objects.all()
        if fold(domain.label).startswith(folded) or f" {folded}" in f" {fold(domain.label)}"
    ][:2]
    suggestions += [
        Suggestion(label=theme.label, category="theme", param="theme", value=theme.code)
        for theme in Theme.objects.all()
        if fold(theme.label).startswith(folded) or f" {folded}" in f" {fold(theme.label)}"
    ][:3]
    suggestions += [
        Suggestion(
            label=territory_label(t), category="territory", param="autour", value=territory_label(t)
        )
        for t in territories_autocomplete(query=text, limit=3)
    ]
    return suggestions[:limit]


def _place_choice(territory: Territory) -> PlaceChoice:
    """A place to choose, told apart from its homonyms by its département (or région)
    and population; its label, given back as « autour », names exactly it."""
    label = territory_label(territory)
    parent = territory.parent
    details = []
    if territory.level == TerritoryLevel.COMMUNE and parent is not None:
        details.append(parent.name)
        if parent.parent is not None:
            details.append(parent.parent.name)
    elif territory.level == TerritoryLevel.DEPARTEMENT and parent is not None:
        details.append(parent.name)
    if territory.population:
        details.append(
            ngettext("%(count)s habitant", "%(count)s habitants", territory.population)
            % {"count": number_format(territory.population, force_grouping=True)}
        )
    return PlaceChoice(label=label, value=label, detail=", ".join(details))


def resolve_place(text: str) -> PlaceResolution:
    """What « autour » names → a place for the search: a commune (« Guéret (23) », a
    postal code — « 75011 » is Paris —, an INSEE code, a name), searched around its
    position; a département or a région, searched *within* it, distances from its
    centre. Homonyms (« Montreuil », « Saint-Denis ») and shared postal codes are
    choices, never the most populated silently; a name matching nothing exactly gets
    suggestions."""
    resolution = territory_resolve(text)
    territory = resolution.territory
    if territory is None:
        return PlaceResolution(
            None,
            choices=tuple(_place_choice(t) for t in resolution.candidates[:8]),
            ambiguous=resolution.homonyms,
        )
    point = territory_point(territory)
    if point is None:
        return PlaceResolution(None)
    latitude, longitude, source = point
    label = territory_label(territory)
    note = ""
    if source.pk != territory.pk and arrondissement_city(territory) != source.code:
        # Most communes have no position of their own until content teaches it one.
        if source.level == TerritoryLevel.DEPARTEMENT:
            note = _(
                "La position de %(place)s n'est pas connue : les distances sont mesurées "
                "depuis le centre de son département (%(centre)s)."
            )
        else:
            note = _(
                "La position de %(place)s n'est pas connue : les distances sont mesurées "
                "depuis le centre de sa région (%(centre)s)."
            )
        note %= {"place": label, "centre": source.name}
    area = None
    if territory.level in (TerritoryLevel.DEPARTEMENT, TerritoryLevel.REGION):
        area = (str(territory.level), territory.code)  # the « departement » or « region » facet
    return PlaceResolution(
        Place(
            latitude,
            longitude,
            label,
            area=area,
            note=note,
            others=tuple(_place_choice(t) for t in resolution.others[:5]),
        )
    )


# Query understanding: the taxonomy's labels and synonyms name facet values
# (search/concepts.py). The terms are read once, cached (shared through Redis when
# configured), dropped when a term is saved or deleted and kept an hour at most.
CONCEPTS_CACHE_KEY = "innovations:concepts:v1"
CONCEPTS_CACHE_SECONDS = 3600
CONCEPT_FACETS = (
    # (model, facet, what the page calls it: « Compris : public Seniors »)
    (ThemeDomain, "domain", gettext_lazy("domaine")),
    (Theme, "theme", gettext_lazy("thème")),
    (Public, "public", gettext_lazy("public")),
)
_matcher: tuple[str, ConceptMatcher, dict] | None = None


def _concept_rows() -> tuple[str, list[tuple[str, str, str, str, tuple[str, ...]]]]:
    cached = cache.get(CONCEPTS_CACHE_KEY)
    if cached is None:
        rows = []
        for model, facet, _kind in CONCEPT_FACETS:
            for code, french, english, synonyms in model.objects.values_list(
                "code", "label", "label_en", "synonyms"
            ):
                phrases = (french, *(t.strip() for t in synonyms.split(",") if t.strip()))
                rows.append((facet, code, french, english, phrases))
        cached = (uuid.uuid4().hex, rows)
        cache.set(CONCEPTS_CACHE_KEY, cached, CONCEPTS_CACHE_SECONDS)
    return cached


def taxonomy_concepts(text: str) -> list[Concept]:
    """The domains, sub-themes and publics that ``text`` names by their French label
    or one of their synonyms (registered as a concept provider)."""
    global _matcher
    version, rows = _concept_rows()
    if _matcher is None or _matcher[0] != version:
        entries = [
            ConceptEntry(facet=facet, value=code, label=french, kind_label=facet, phrases=phrases)
            for facet, code, french, _english, phrases in rows
        ]
        english = {(facet, code): en for facet, code, _fr, en, _phrases in rows}
        _matcher = (version, ConceptMatcher(entries), english)
    _version, matcher, english = _matcher
    kinds = {facet: kind for _model, facet, kind in CONCEPT_FACETS}
    return [
        Concept(
            facet=found.facet,
            value=found.value,
            # In the reader's language, like the facets' labels.
            label=localized_label(found.label, english.get((found.facet, found.value), "")),
            kind_label=str(kinds[found.facet]),
            phrase=found.phrase,
        )
        for found in matcher.find(text)
    ]


def concepts_invalidate(**kwargs) -> None:
    """Cache housekeeping after a taxonomy change (no rule lives here)."""
    transaction.on_commit(lambda: cache.delete(CONCEPTS_CACHE_KEY))


def connect_concept_cache() -> None:
    for model, _facet, _kind in CONCEPT_FACETS:
        uid = f"innovations_concepts_{model.__name__}"
        post_save.connect(concepts_invalidate, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(concepts_invalidate, sender=model, dispatch_uid=f"{uid}_deleted")
