"""Searching: the query, disjunctive facets, proximity, suggestions, similar.

Bodies are built with elasticsearch.dsl (``Search(...).to_dict()``) and sent
through the engine adapter (client.py); answers are read back as dsl Responses.

Text relevance (the rule, on this engine — the same reading of the query as the
database backends, search/interpret.py, see docs/recherche-pertinence.md):
- one ``should`` clause per unit of the query (a word, or a synonym group whose
  alternatives are phrases), worth 1 000 when the text has it, or 800 when only a
  concept's facet tag covers it (a ``dis_max`` of ``constant_score`` clauses):
  their sum is the coordination, a tier above any BM25 score, so documents with
  every unit come first, then those with most; ``minimum_should_match: 1``, so
  « retour à l'emploi des chômeurs » finds documents about « emploi » alone;
- within a tier, BM25 over title (8) > themes, territories and tags (4) >
  summary (2) > body (1), plus a bonus per understood concept tag (scaled: BM25
  is not normalised here, CONCEPT_TIE_SCALE);
- typos: ``fuzziness: "AUTO:5,9"`` on one-word units — one edit from 5 letters,
  two from 9;
- a quoted phrase is a required unit (``must``).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.response import Response

from ... import registry
from ...interpret import CONCEPT_BONUS, CONCEPT_WEIGHT, TEXT_WEIGHT, Interpretation, interpret
from ...query import FacetCount, Hit, SearchQuery, SearchResults
from ...registry import facet_labels, facet_names, news_kinds, order_by_value, similar_facets
from .client import EngineNotFound
from .index import FACET_LIMIT, _date, facet_field

FIELDS = ["title^8", "keywords^4", "summary^2", "body"]
MINIMUM_SHOULD_MATCH = "1"
FUZZINESS = "AUTO:5,9"
ALL_WORDS_BONUS = 1000.0  # above any BM25 score here: « all words » is a tier
# CONCEPT_BONUS is relative to a text score normalised to 0–1; BM25 is not, so the
# bonus is scaled to a typical top BM25 score on this index (an approximation).
CONCEPT_TIE_SCALE = 20.0
WINDOW = 10_000  # index.max_result_window: deeper pages go through search_after
DEEP_STEP = 5_000  # sort values fetched per step when walking to a deep page

# « Similar »: the values shared with the document, facet by facet in the order its
# kind declares (``similar_facets``; projects: département, région, sub-themes), as
# an order, not a blend — base 100 digits, the first facet weighing most: a near
# project sharing no theme comes before a far one sharing three. The same order as
# the database backend's ``similar``.
SIMILAR_SCRIPT = """
long rank = 0;
for (int i = 0; i < params.fields.size(); i++) {
  String field = params.fields.get(i);
  long shared = 0;
  if (doc.containsKey(field)) {
    for (def v : doc[field]) {
      if (params.values.get(i).contains(v)) { shared += 1; }
    }
  }
  if (shared > 99) { shared = 99; }
  rank = rank * 100 + shared;
}
return rank;
"""


class QueriesMixin:
    """The searching half of ElasticsearchBackend (index management is in backend.py)."""

    # --- sending ----------------------------------------------------------------------
    def _execute(self, search: Search) -> Response:
        """Send a dsl Search to the alias; a fresh cluster bootstraps on first use."""
        body = search.to_dict()
        try:
            raw = self.engine.search(index=self.alias, body=body)
        except EngineNotFound:
            self._ensure()
            raw = self.engine.search(index=self.alias, body=body)
        return Response(search, raw)

    # --- searching --------------------------------------------------------------------
    @staticmethod
    def _facet_filter(facet: str, values) -> Q:
        return Q("terms", **{facet_field(facet): list(values)})

    @staticmethod
    def _text_query(text: str) -> Q:
        if '"' in text or "«" in text:
            # A phrase in quotes: every word required, the phrase as written.
            return Q(
                "simple_query_string",
                query=text.replace("«", '"').replace("»", '"'),
                fields=FIELDS,
                default_operator="and",
                flags="PHRASE|WHITESPACE|PRECEDENCE",
            )
        fuzzy = {"fuzziness": FUZZINESS, "prefix_length": 1}
        return Q(
            "bool",
            must=[
                Q(
                    "match",
                    everything={
                        "query": text,
                        "operator": "or",
                        "minimum_should_match": MINIMUM_SHOULD_MATCH,
                        **fuzzy,
                    },
                )
            ],
            should=[
                Q("multi_match", query=text, fields=FIELDS, type="best_fields", **fuzzy),
                Q(
                    "constant_score",
                    filter=Q("match", everything={"query": text, "operator": "and", **fuzzy}),
                    boost=ALL_WORDS_BONUS,
                ),
                Q("match_phrase", title={"query": text, "boost": 4}),
            ],
        )

    @staticmethod
    def _unit_text(unit) -> list[str]:
        """What the engine analyses for a unit: the words as typed/written (the
        index analyser stems them itself; re-stemming our stems could differ)."""
        if unit.terms:
            return list(unit.terms)
        if unit.folded:
            return [unit.folded]
        return [" ".join(alt) for alt in unit.alternatives]

    def _interpreted_query(self, plan: Interpretation) -> Q:
        """The OR rule of search/interpret.py: one constant-score clause per unit
        (text TEXT_WEIGHT, a concept covering it CONCEPT_WEIGHT, the best of both
        through dis_max), summed by the bool: the coordination, scaled by
        ALL_WORDS_BONUS so that it is a tier above the BM25 text score."""
        fuzzy = {"fuzziness": FUZZINESS, "prefix_length": 1, "max_expansions": 5}
        by_unit: dict[int, list] = {}
        for clause in plan.clauses:
            for index in clause.units:
                by_unit.setdefault(index, []).append(clause.concept)
        should, required, texts = [], [], []
        for index, unit in enumerate(plan.units):
            words = self._unit_text(unit)
            texts.extend(words)
            if unit.fuzzy_eligible:
                text_match = [Q("match", everything={"query": words[0], **fuzzy})]
            else:
                text_match = [Q("match_phrase", everything={"query": w}) for w in words]
            text_clause = Q("bool", should=text_match, minimum_should_match=1)
            if unit.required:
                required.append(text_clause)
            options = [Q("constant_score", filter=text_clause, boost=TEXT_WEIGHT * ALL_WORDS_BONUS)]
            for concept in by_unit.get(index, ()):
                options.append(
                    Q(
                        "constant_score",
                        filter=Q("term", **{facet_field(concept.facet): concept.value}),
                        boost=CONCEPT_WEIGHT * ALL_WORDS_BONUS,
                    )
                )
            should.append(options[0] if len(options) == 1 else Q("dis_max", queries=options))
        found = Q("bool", should=should, minimum_should_match=1)
        # Ties: BM25 over the boosted fields, plus a bonus per understood concept.
        ties = [Q("multi_match", query=" ".join(texts), fields=FIELDS, type="best_fields", **fuzzy)]
        for clause in plan.clauses:
            ties.append(
                Q(
                    "constant_score",
                    filter=Q("term", **{facet_field(clause.concept.facet): clause.concept.value}),
                    boost=CONCEPT_BONUS * CONCEPT_TIE_SCALE,
                )
            )
        return Q("bool", must=[found, *required], should=ties)

    def _base_query(self, query: SearchQuery, plan: Interpretation | None = None) -> Q:
        must = []
        if query.text:
            if plan is not None and not plan.empty:
                must = [self._interpreted_query(plan)]
            elif plan is None:
                must = [self._text_query(query.text)]
            else:
                must = [Q("match_none")]
        filters = [Q("terms", visibility=sorted(query.principals))]
        if query.geo is not None and query.geo.area is not None:
            # A département or a région: what is in it, distances from its centre.
            facet, code = query.geo.area
            filters.append(Q("term", **{facet_field(facet): code}))
        elif query.geo is not None:
            filters.append(
                Q(
                    "geo_distance",
                    distance=f"{query.geo.km}km",
                    points={"lat": query.geo.lat, "lon": query.geo.lon},
                )
            )
        if query.published_after is not None:
            filters.append(Q("range", published_at={"gt": query.published_after.isoformat()}))
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

    @staticmethod
    def _sort(query: SearchQuery) -> list:
        """The order, always ending with the key: a total order, so that pages do
        not overlap and search_after can resume after any hit."""
        sort = query.effective_sort
        if sort == "recents":
            # News first (projects, by publication date), then the rest (editorial pages).
            return [
                {
                    "_script": {
                        "type": "number",
                        "order": "asc",
                        "script": {
                            "source": "params.news.contains(doc['kind'].value) ? 0 : 1",
                            "params": {"news": list(news_kinds())},
                        },
                    }
                },
                {"published_at": {"order": "desc", "missing": "_last"}},
                "key",
            ]
        if sort == "alpha":
            return ["title.raw", "key"]
        if sort == "distance":
            return [
                {
                    "_geo_distance": {
                        "points": {"lat": query.geo.lat, "lon": query.geo.lon},
                        "order": "asc",
                        "unit": "km",
                        "mode": "min",
                    }
                },
                "key",
            ]
        ranked = registry.facet_sorts().get(sort)
        if ranked is not None:
            return [
                {
                    "_script": {
                        "type": "number",
                        "order": "asc",
                        "script": {
                            # The position of the first of the sort's values the
                            # document holds; the others after (a facet no document
                            # holds yet is not in the mapping: containsKey).
                            "source": (
                                "int best = params.order.size();"
                                " if (doc.containsKey(params.field)) {"
                                " for (def v : doc[params.field]) {"
                                " int i = params.order.indexOf(v);"
                                " if (i >= 0 && i < best) { best = i; } } }"
                                " return best;"
                            ),
                            "params": {
                                "field": facet_field(ranked.facet),
                                "order": list(ranked.values),
                            },
                        },
                    }
                },
                {"_score": {"order": "desc"}},
                "key",
            ]
        return [{"_score": {"order": "desc"}}, "key"]

    def _matching(
        self, query: SearchQuery, plan: Interpretation | None = None
    ) -> tuple[Search, dict[str, Q]]:
        """The documents of ``query`` in their order, without facets or highlights."""
        if plan is None and query.text:
            plan = interpret(text=query.text, dropped=query.dropped_concepts)
        search = Search(index=self.alias).query(self._base_query(query, plan))
        facet_filters = {
            facet: self._facet_filter(facet, values)
            for facet, values in query.filters.items()
            if values
        }
        if facet_filters:
            search = search.post_filter(Q("bool", filter=list(facet_filters.values())))
        return search.sort(*self._sort(query)), facet_filters

    def build_search(self, query: SearchQuery, plan: Interpretation | None = None) -> Search:
        """The request sent for ``query`` (separate from its execution, for tests)."""
        search, facet_filters = self._matching(query, plan)
        if query.facets:
            for facet in facet_names():
                others = [f for name, f in facet_filters.items() if name != facet]
                bucket = search.aggs.bucket(
                    f"f_{facet}", "filter", filter=Q("bool", filter=others or [Q("match_all")])
                )
                bucket.bucket("values", "terms", field=facet_field(facet), size=FACET_LIMIT)
        if query.highlight and query.text:
            search = (
                search.highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
                .highlight("title", number_of_fragments=0)
                .highlight("summary", number_of_fragments=0)
                .highlight("body", fragment_size=220, number_of_fragments=1)
            )
        return search.extra(track_total_hits=True)[query.offset : query.offset + query.per_page]

    def _search_after(self, query: SearchQuery) -> Search | None:
        """A page past the engine's window (10,000 hits): walk there with
        search_after, fetching only sort values, then ask for the page itself.
        None when the page is past the last hit."""
        walker = self._matching(query)[0].source(False).extra(track_total_hits=False)
        after = None
        skipped = 0
        while skipped < query.offset:
            step = min(DEEP_STEP, query.offset - skipped)
            request = walker[0:step]
            if after is not None:
                request = request.extra(search_after=after)
            hits = self._execute(request).hits
            if not hits:
                return None
            skipped += len(hits)
            after = list(hits[-1].meta.sort)
            if len(hits) < step:
                return None
        # The page itself: the first page's request, resumed after the last hit skipped.
        return self.build_search(replace(query, page=1)).extra(search_after=after)

    def _search(self, query: SearchQuery) -> SearchResults:
        plan = interpret(text=query.text, dropped=query.dropped_concepts) if query.text else None
        search = self.build_search(query, plan)
        if query.offset + query.per_page > WINDOW:
            deep = self._search_after(query)
            if deep is None:  # past the last hit: the facets and total of page 1
                first = self._search(replace(query, page=1))
                return SearchResults(query=query, total=first.total, hits=[], facets=first.facets)
            search = deep
        text = " ".join(query.text.split())[:200]
        if self._wants_correction(query):
            phrase = self._phrase_suggester(query.principals, confidence=1.0)
            search = search.suggest("fix", text, phrase=phrase)
        response = self._execute(search)
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
            for facet in facet_names():
                buckets = getattr(response.aggregations, f"f_{facet}").values.buckets
                counts = {str(b.key): b.doc_count for b in buckets}
                facets[facet] = self._facet_counts(query, facet, counts)
        return SearchResults(
            query=query,
            total=response.hits.total.value,
            hits=hits,
            facets=facets,
            suggestion=self._correction(response, text) if response.hits.total.value else "",
            concepts=list(plan.concepts) if plan else [],
            dropped_concepts=list(plan.dropped) if plan else [],
        )

    @staticmethod
    def _nearest(hit, query: SearchQuery) -> float | None:
        from ...geo import haversine_km

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
        if order_by_value(facet):
            items.sort(key=lambda item: item.value, reverse=True)
        else:
            items.sort(key=lambda item: (-item.count, item.label))
        return items

    def search(self, query: SearchQuery) -> SearchResults:
        return self._search(query)

    @staticmethod
    def _wants_correction(query: SearchQuery) -> bool:
        """Typos find results here (fuzziness): the first page also says what the
        words most likely were, when that is more likely than what was typed
        (confidence 1), as « Vouliez-vous dire » does after zero results."""
        return bool(query.text) and query.page == 1 and '"' not in query.text

    def suggest_titles(
        self, text: str, *, principals: frozenset[str], limit: int = 5
    ) -> list[tuple[str, str]]:
        search = (
            Search(index=self.alias)
            .query(Q("match", **{"title.suggest": {"query": text, "operator": "and"}}))
            .filter("terms", visibility=sorted(principals))
            .source(["title", "url"])[:limit]
        )
        return [(hit.title, hit.url) for hit in self._execute(search)]

    def similar(self, key: str, *, principals: frozenset[str], limit: int = 4) -> list[Hit]:
        """Same département first, then same région, then the most shared sub-themes
        (a script sort on the document's own codes); more_like_this (shared words)
        only breaks ties, as ``_score``. Nothing for a document the viewer may not
        see: its words must not shape what they are shown."""
        try:
            source = self.engine.get_source(index=self.alias, id=key)
        except EngineNotFound:
            return []
        if not set(source.get("visibility") or ()) & set(principals):
            return []
        stored = source.get("facets") or {}
        own = {
            facet: list(stored.get(facet) or []) for facet in similar_facets(source.get("kind", ""))
        }
        should = [
            Q(
                "more_like_this",
                fields=["title", "summary", "keywords", "body"],
                like=[{"_index": self.alias, "_id": key}],
                min_term_freq=1,
                min_doc_freq=1,
                max_query_terms=25,
            )
        ]
        should += [
            Q("terms", **{facet_field(facet): values}) for facet, values in own.items() if values
        ]
        search = (
            Search(index=self.alias)
            .query(Q("bool", should=should, minimum_should_match=1))
            .filter("terms", visibility=sorted(principals))
            .filter("term", kind=source["kind"])
            .exclude("ids", values=[key])
            .sort(
                {
                    "_script": {
                        "type": "number",
                        "order": "desc",
                        "script": {
                            "source": SIMILAR_SCRIPT,
                            "params": {
                                "fields": [facet_field(facet) for facet in own],
                                "values": list(own.values()),
                            },
                        },
                    }
                },
                {"_score": {"order": "desc"}},
                "key",
            )[:limit]
        )
        return [_hit(hit) for hit in self._execute(search)]

    @staticmethod
    def _phrase_suggester(principals: frozenset[str], *, confidence: float) -> dict:
        """The phrase suggester over title words, each candidate checked
        (``collate``) against the documents the viewer may see: a word found only
        in private or draft documents is never suggested."""
        collate = {
            "bool": {
                "must": [
                    {"match": {"title.words": {"query": "{{suggestion}}", "operator": "and"}}}
                ],
                "filter": [{"terms": {"visibility": sorted(principals)}}],
            }
        }
        return {
            "field": "title.trigrams",
            "size": 1,
            "gram_size": 3,
            "max_errors": 3,
            "confidence": confidence,
            "direct_generator": [
                {
                    "field": "title.words",
                    "suggest_mode": "always",
                    "min_word_length": 4,
                    "max_edits": 2,
                }
            ],
            # The template is JSON text: principals are ours (no braces in them).
            "collate": {"query": {"source": json.dumps(collate)}, "prune": False},
        }

    @staticmethod
    def _correction(response: Response, text: str) -> str:
        if not hasattr(response, "suggest") or "fix" not in response.suggest:
            return ""
        for entry in response.suggest.fix:
            for option in entry.options:
                if option.text.lower() != text.lower():
                    return option.text
        return ""

    def vocabulary_suggestion(self, text: str, *, principals: frozenset[str]) -> str:
        """« Did you mean » for a query that found nothing."""
        text = " ".join(text.split())[:200]
        if not text:
            return ""
        phrase = self._phrase_suggester(principals, confidence=0.0)
        search = Search(index=self.alias).suggest("fix", text, phrase=phrase)[:0]
        return self._correction(self._execute(search), text)


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
