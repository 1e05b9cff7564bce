"""Searching: the query, disjunctive facets, proximity, suggestions, similar."""

from __future__ import annotations

import math

from elasticsearch import NotFoundError
from elasticsearch.dsl import (
    Q,
    Search,
)

from ...documents import FACET_NAMES
from ...query import NEWS_KINDS, FacetCount, Hit, SearchQuery, SearchResults
from ...registry import facet_labels
from .index import FACET_FIELDS, FACET_LIMIT, _date

# « Projets proches »: same département (10⁶), then same région (10⁴), then each
# shared sub-theme (1) — an order, not a blend: a near project sharing no theme comes
# before a far one sharing three.
SIMILAR_FACETS = ("departement", "region", "theme")
SIMILAR_SCRIPT = """
long rank = 0;
for (def v : doc['departement']) {
  if (params.departement.contains(v)) { rank += 1000000L; break; }
}
for (def v : doc['region']) {
  if (params.region.contains(v)) { rank += 10000L; break; }
}
for (def v : doc['theme']) {
  if (params.theme.contains(v)) { rank += 1L; }
}
return rank;
"""


class QueriesMixin:
    """The searching half of ElasticsearchBackend (index management is in backend.py)."""

    # --- searching --------------------------------------------------------------------
    @staticmethod
    def _facet_filter(facet: str, values) -> Q:
        return Q("terms", **{FACET_FIELDS[facet]: list(values)})

    def _base_query(self, query: SearchQuery, *, fuzzy: bool = False) -> Q:
        must = []
        if query.text:
            if fuzzy:
                must.append(
                    Q(
                        "multi_match",
                        query=query.text,
                        fields=["title^10", "summary^4", "keywords^4", "body"],
                        fuzziness="AUTO",
                        operator="and",
                    )
                )
            else:
                must.append(
                    Q(
                        "simple_query_string",
                        query=query.text,
                        fields=["title^10", "summary^4", "keywords^4", "body"],
                        default_operator="and",
                        flags="PHRASE|WHITESPACE|PRECEDENCE",
                    )
                )
        filters = [Q("terms", visibility=sorted(query.principals))]
        if query.geo is not None and query.geo.area is not None:
            # A département or a région: what is in it, distances from its centre.
            facet, code = query.geo.area
            filters.append(Q("term", **{FACET_FIELDS[facet]: code}))
        elif query.geo is not None:
            filters.append(
                Q(
                    "geo_distance",
                    distance=f"{query.geo.km}km",
                    points={"lat": query.geo.lat, "lon": query.geo.lon},
                )
            )
        base = Q("bool", must=must or [Q("match_all")], filter=filters)
        if not query.text and query.effective_sort == "pertinence":
            # Ties everywhere: a fair order that changes once a day.
            base = Q(
                "function_score",
                query=base,
                functions=[{"random_score": {"seed": query.seed, "field": "key"}}],
                boost_mode="replace",
            )
        return base

    def build_search(self, query: SearchQuery, *, fuzzy: bool = False) -> Search:
        """The request sent for ``query`` (separate from its execution, for tests)."""
        search = Search(using=self.client, index=self.alias).query(
            self._base_query(query, fuzzy=fuzzy)
        )
        facet_filters = {
            facet: self._facet_filter(facet, values)
            for facet, values in query.filters.items()
            if values
        }
        if facet_filters:
            search = search.post_filter(Q("bool", filter=list(facet_filters.values())))
        if query.facets:
            for facet in FACET_NAMES:
                others = [f for name, f in facet_filters.items() if name != facet]
                bucket = search.aggs.bucket(
                    f"f_{facet}", "filter", filter=Q("bool", filter=others or [Q("match_all")])
                )
                bucket.bucket("values", "terms", field=FACET_FIELDS[facet], size=FACET_LIMIT)
        sort = query.effective_sort
        if sort == "recents":
            # News first (projects, by publication date), then the rest (editorial pages).
            search = search.sort(
                {
                    "_script": {
                        "type": "number",
                        "order": "asc",
                        "script": {
                            "source": "params.news.contains(doc['kind'].value) ? 0 : 1",
                            "params": {"news": list(NEWS_KINDS)},
                        },
                    }
                },
                {"published_at": {"order": "desc", "missing": "_last"}},
                "key",
            )
        elif sort == "alpha":
            search = search.sort("title.raw", "key")
        elif sort == "distance":
            search = search.sort(
                {
                    "_geo_distance": {
                        "points": {"lat": query.geo.lat, "lon": query.geo.lon},
                        "order": "asc",
                        "unit": "km",
                        "mode": "min",
                    }
                }
            )
        if query.highlight and query.text:
            search = (
                search.highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
                .highlight("title", number_of_fragments=0)
                .highlight("summary", number_of_fragments=0)
                .highlight("body", fragment_size=220, number_of_fragments=1)
            )
        return search.extra(track_total_hits=True)[query.offset : query.offset + query.per_page]

    def _search(self, query: SearchQuery, *, fuzzy: bool = False) -> SearchResults:
        response = self._call(self.build_search(query, fuzzy=fuzzy).execute)
        sort = query.effective_sort
        hits = []
        for hit in response:
            meta = hit.meta
            highlights = {}
            if hasattr(meta, "highlight"):
                for field in ("title", "summary", "body"):
                    if field in meta.highlight:
                        highlights[field] = " … ".join(meta.highlight[field])
            distance = None
            if sort == "distance" and hasattr(meta, "sort") and math.isfinite(meta.sort[0]):
                distance = round(float(meta.sort[0]), 1)
            elif query.geo is not None:
                distance = self._nearest(hit, query)
            hits.append(_hit(hit, highlights=highlights, distance_km=distance))
        facets = {}
        if query.facets:
            for facet in FACET_NAMES:
                buckets = getattr(response.aggregations, f"f_{facet}").values.buckets
                counts = {str(b.key): b.doc_count for b in buckets}
                facets[facet] = self._facet_counts(query, facet, counts)
        return SearchResults(query=query, total=response.hits.total.value, hits=hits, facets=facets)

    @staticmethod
    def _nearest(hit, query: SearchQuery) -> float | None:
        from ..geo import haversine_km

        points = hit.display.to_dict().get("points", []) if hasattr(hit, "display") else []
        distances = [haversine_km(lat, lon, query.geo.lat, query.geo.lon) for lat, lon in points]
        return round(min(distances), 1) if distances else None

    @staticmethod
    def _facet_counts(query: SearchQuery, facet: str, counts: dict) -> list[FacetCount]:
        selected = set(query.filters.get(facet, ()))
        for value in selected - set(counts):
            counts[value] = 0
        labels = facet_labels(facet, counts)
        items = [
            FacetCount(value=v, label=labels.get(v, v), count=c, selected=v in selected)
            for v, c in counts.items()
        ]
        if facet == "year":
            items.sort(key=lambda item: item.value, reverse=True)
        else:
            items.sort(key=lambda item: (-item.count, item.label))
        return items

    def search(self, query: SearchQuery) -> SearchResults:
        self._ensure()
        results = self._search(query)
        if results.total == 0 and query.text and '"' not in query.text:
            # Typo tolerance: nothing matched exactly, try fuzzy matching.
            fuzzy = self._search(query, fuzzy=True)
            if fuzzy.total:
                return fuzzy
        return results

    def suggest_titles(
        self, text: str, *, principals: frozenset[str], limit: int = 5
    ) -> list[tuple[str, str]]:
        self._ensure()
        search = (
            Search(using=self.client, index=self.alias)
            .query(Q("match", **{"title.suggest": {"query": text, "operator": "and"}}))
            .filter("terms", visibility=sorted(principals))
            .source(["title", "url"])[:limit]
        )
        return [(hit.title, hit.url) for hit in self._call(search.execute)]

    def similar(self, key: str, *, principals: frozenset[str], limit: int = 4) -> list[Hit]:
        """Same département first, then same région, then the most shared sub-themes
        (a script sort on the document's own codes); more_like_this (shared words)
        only breaks ties, as ``_score``."""
        self._ensure()
        try:
            source = self._call(self.client.get, index=self.alias, id=key)["_source"]
        except NotFoundError:
            return []
        own = {facet: list(source.get(facet) or []) for facet in SIMILAR_FACETS}
        should = [
            Q(
                "more_like_this",
                fields=["title", "summary", "keywords", "body"],
                like=[{"_index": self._indices_of(self.alias)[0], "_id": key}],
                min_term_freq=1,
                min_doc_freq=1,
                max_query_terms=25,
            )
        ]
        should += [Q("terms", **{facet: values}) for facet, values in own.items() if values]
        search = (
            Search(using=self.client, index=self.alias)
            .query(Q("bool", should=should, minimum_should_match=1))
            .filter("terms", visibility=sorted(principals))
            .filter("term", kind=source["kind"])
            .exclude("ids", values=[key])
            .sort(
                {
                    "_script": {
                        "type": "number",
                        "order": "desc",
                        "script": {"source": SIMILAR_SCRIPT, "params": own},
                    }
                },
                {"_score": {"order": "desc"}},
                "key",
            )[:limit]
        )
        return [_hit(hit) for hit in self._call(search.execute)]

    def vocabulary_suggestion(self, text: str, *, principals: frozenset[str]) -> str:
        self._ensure()
        search = Search(using=self.client, index=self.alias).suggest(
            "fix", text, term={"field": "title.words", "suggest_mode": "popular"}
        )[:0]
        response = self._call(search.execute)
        words, changed = [], False
        for entry in response.suggest.fix:
            if entry.options:
                words.append(entry.options[0].text)
                changed = True
            else:
                words.append(entry.text)
        return " ".join(words) if changed else ""


def _hit(hit, **extra) -> Hit:
    """A result as the search service gives it, from an Elasticsearch hit."""
    return Hit(
        key=hit.key,
        kind=hit.kind,
        object_id=hit.object_id,
        url=hit.url,
        title=hit.title,
        summary=hit.summary,
        published_at=_date(getattr(hit, "published_at", None)),
        display=hit.display.to_dict() if hasattr(hit, "display") else {},
        score=hit.meta.score or 0.0,
        **extra,
    )
