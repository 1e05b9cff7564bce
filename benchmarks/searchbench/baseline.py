"""A competent baseline: what a Django developer would build with stock tools.

Documents are stored with the ORM (one row per document, one per facet value, one
per point: the same tables as ours, written with ``bulk_create``), text is searched
with Wagtail's own database search (``wagtail.search.backends.database``: FTS5 on
SQLite, tsvector on PostgreSQL), any word matching (``operator="or"``, ranked by
Wagtail, as our rule finds documents matching some words), and facets are counted
with ONE ``GROUP BY`` query per facet, disjunctively (each facet counted with the
filters of the other facets), the text match being a subquery of that query.

Each search may get a time budget (``--baseline-budget``): past it, it is stopped
(SQLite: a progress handler interrupts the statement; PostgreSQL:
``statement_timeout``) and counted as the budget, the figures becoming lower bounds.
Wagtail's SQLite search needs it: SQLite's planner runs its text match (the FTS5
table joined to ``wagtailsearch_indexentry`` on the content type, the filter that
keeps other models' matches out) with the index entries as the outer loop and the
FTS5 ``MATCH`` evaluated for each of them — 2.6 s instead of 2 ms at 20,000
documents (measured by hand with ``EXPLAIN QUERY PLAN``), growing with the square of
the corpus; every facet count repeats it.

Why PostgreSQL used to crash (``FieldError: Cannot resolve keyword
'index_entries'``): Wagtail's PostgreSQL search joins the searched model to its
index through a reverse generic relation, ``index_entries``, that
``IndexEntry.add_generic_relations()`` adds to every indexed model when the
``wagtailsearch`` app is ready. The benchmark's model is declared at run time,
after that, so it never got the relation. (On SQLite, Wagtail searches the FTS table
first and filters on ``pk__in``, without the relation: it worked by luck.) The
model below receives the relation the same way Wagtail gives it to the others.
"""

from __future__ import annotations

import time

BATCH = 1000
PAGE = 20


def _baseline_model():
    from django.apps import apps
    from modelsearch.abstract_models import TextIDGenericRelation
    from wagtail.search import index
    from wagtail.search.models import IndexEntry

    from search.models import SearchEntry

    if "baselineentry" in apps.all_models["search"]:
        return apps.get_model("search", "BaselineEntry")

    class BaselineEntry(index.Indexed, SearchEntry):
        search_fields = [
            index.SearchField("title", boost=10),
            index.SearchField("summary", boost=4),
            index.SearchField("keywords", boost=4),
            index.SearchField("body"),
            index.AutocompleteField("title"),
            index.FilterField("is_public"),
            index.FilterField("id"),
        ]

        class Meta:
            proxy = True
            app_label = "search"

    # What wagtailsearch's ready() did for the models that existed then (see above).
    TextIDGenericRelation(IndexEntry).contribute_to_class(BaselineEntry, "index_entries")
    return BaselineEntry


class WagtailBaseline:
    def __init__(self, *, budget_ms: float = 0):
        from wagtail.search.backends import get_search_backend

        self.model = _baseline_model()
        self.wagtail = get_search_backend()
        self.budget_ms = budget_ms
        self.deadline = float("inf")
        self._limit_installed = False

    def _install_limit(self) -> None:
        """Stop a search at the budget: SQLite has no statement timeout, but a
        progress handler that asks it to interrupt; PostgreSQL has one."""
        from django.db import connection

        connection.ensure_connection()
        if connection.vendor == "sqlite":
            connection.connection.set_progress_handler(
                lambda: int(time.perf_counter() > self.deadline), 10_000
            )
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(self.budget_ms)}")
        self._limit_installed = True

    # --- writing ----------------------------------------------------------------------
    def index(self, documents: list) -> dict:
        """Rows with the ORM, then Wagtail's index of them; seconds of each."""
        from django.db import transaction
        from django.utils import timezone

        from search.models import VISIBILITY_FACET, SearchFacetValue, SearchPoint

        started = time.perf_counter()
        for start in range(0, len(documents), BATCH):
            batch = documents[start : start + BATCH]
            with transaction.atomic():
                entries = self.model.objects.bulk_create(
                    [
                        self.model(
                            key=d.key,
                            kind=d.kind,
                            object_id=d.object_id,
                            url=d.url,
                            title=d.title[:300],
                            sort_title=d.title.lower()[:300],
                            summary=d.summary,
                            body=d.body,
                            keywords=" ".join(d.keywords),
                            display=d.stored_display(),
                            is_public="public" in d.visibility,
                            updated_at=timezone.now(),
                        )
                        for d in batch
                    ]
                )
                facets, points = [], []
                for entry, d in zip(entries, batch, strict=True):
                    for facet, values in d.facet_values().items():
                        facets.extend(
                            SearchFacetValue(entry_id=entry.pk, facet=facet, value=v)
                            for v in values
                        )
                    facets.extend(
                        SearchFacetValue(entry_id=entry.pk, facet=VISIBILITY_FACET, value=v)
                        for v in sorted(set(d.visibility))
                    )
                    points.extend(
                        SearchPoint(entry_id=entry.pk, lat=lat, lon=lon) for lat, lon in d.points
                    )
                SearchFacetValue.objects.bulk_create(facets, batch_size=BATCH)
                SearchPoint.objects.bulk_create(points, batch_size=BATCH)
        rows = time.perf_counter() - started
        started = time.perf_counter()
        queryset = self.model.objects.order_by("pk")
        last = 0
        while True:
            chunk = list(queryset.filter(pk__gt=last)[:BATCH])
            if not chunk:
                break
            self.wagtail.add_bulk(self.model, chunk)
            last = chunk[-1].pk
        return {"rows": rows, "wagtail": time.perf_counter() - started}

    # --- reading ----------------------------------------------------------------------
    def run(self, spec: dict, seed: int) -> int:
        """One search; Overtime past the budget (if any)."""
        from django.db import OperationalError

        from benchmarks.searchbench.workload import Overtime

        if not self.budget_ms:
            return self._run(spec)
        if not self._limit_installed:
            self._install_limit()
        started = time.perf_counter()
        self.deadline = started + self.budget_ms / 1000
        try:
            return self._run(spec)
        except OperationalError as exc:
            late = (time.perf_counter() - started) * 1000 >= self.budget_ms * 0.9
            if late or "interrupt" in str(exc) or "statement timeout" in str(exc):
                raise Overtime(str(exc)) from exc
            raise
        finally:
            self.deadline = float("inf")

    def _run(self, spec: dict) -> int:
        if "prefix" in spec:
            public = self.model.objects.filter(is_public=True)
            return len(list(self.wagtail.autocomplete(spec["prefix"], public)[:5]))
        return self.search(spec)

    def _near(self, lat: float, lon: float, km: float) -> dict[int, float]:
        """Entry id → distance: a bounding box in SQL, the circle in Python."""
        import math

        from search.geo import haversine_km
        from search.models import SearchPoint

        dlat = km / 111.2
        dlon = km / (111.32 * max(math.cos(math.radians(lat)), 0.01))
        near: dict[int, float] = {}
        for entry_id, plat, plon in SearchPoint.objects.filter(
            lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon)
        ).values_list("entry_id", "lat", "lon"):
            distance = haversine_km(plat, plon, lat, lon)
            if distance <= km and distance < near.get(entry_id, math.inf):
                near[entry_id] = distance
        return near

    def search(self, spec: dict) -> int:
        from django.db.models import Count

        from search.models import SearchFacetValue
        from search.registry import facet_names

        base = self.model.objects.filter(is_public=True)
        near = None
        if "geo" in spec:
            near = self._near(*spec["geo"])
            base = base.filter(pk__in=list(near))
        filters = spec.get("filters", {})
        text = spec.get("text", "")

        def matching(skip: str | None = None, *, ranked: bool = False):
            """The visible entries matching the text and every filter but ``skip``'s:
            a queryset (a subquery of the facet counts), ranked or not."""
            queryset = base
            for facet, values in filters.items():
                if facet != skip:
                    queryset = queryset.filter(
                        pk__in=SearchFacetValue.objects.filter(
                            facet=facet, value__in=values
                        ).values("entry_id")
                    )
            if not text:
                return queryset
            results = self.wagtail.search(text, queryset, operator="or", order_by_relevance=ranked)
            # The results' queryset (Wagtail's own, its text match included): what
            # the facet counts need as a subquery rather than a list of ids.
            return results if ranked else results.get_queryset().order_by()

        if text:
            results = matching(ranked=True)
            total = results.count()
            list(results[:PAGE])
        else:
            queryset = matching()
            total = queryset.count()
            if near is not None:
                ids = set(queryset.values_list("pk", flat=True))
                page = sorted(ids, key=near.__getitem__)[:PAGE]
                list(self.model.objects.filter(pk__in=page))
            else:
                list(queryset.order_by("pk")[:PAGE])
        everything = None
        for facet in facet_names():
            if facet in filters:
                scope = matching(skip=facet)
            else:
                everything = everything if everything is not None else matching()
                scope = everything
            list(
                SearchFacetValue.objects.filter(facet=facet, entry_id__in=scope.values("pk"))
                .values("value")
                .annotate(count=Count("entry_id"))
                .order_by("-count")[:50]
            )
        return total
