"""Elasticsearch backend, through the DSL shipped with the `elasticsearch` 8 client.

- French analysis: elision, lowercase, French stop words, ASCII folding, light
  French stemming; an edge-n-gram sub-field of the title for suggestions.
- Disjunctive facets: the facet filters go in `post_filter`, and each facet's
  aggregation applies every filter but its own.
- `geo_distance` filter and sort on the documents' points; highlighting;
  `more_like_this` for similar documents; fuzzy matching when nothing matches.
- Index names carry SEARCH_INDEX_PREFIX; searches and writes go through an alias.
  A full rebuild fills a new index (also fed by live updates through a second
  alias), then swaps the alias atomically and drops the old index.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch import exceptions as es_exceptions
from elasticsearch.dsl import (
    Date,
    Document,
    GeoPoint,
    Keyword,
    Object,
    Q,
    Search,
    Text,
    analyzer,
    normalizer,
    token_filter,
)

from ..documents import FACET_NAMES, SearchDocument
from ..query import FacetCount, Hit, SearchQuery, SearchResults
from ..registry import facet_labels
from .base import BackendUnavailable, SearchBackend

FACET_FIELDS = {name: name for name in FACET_NAMES}
FACET_LIMIT = 300

french_elision = token_filter(
    "carrefour_elision",
    type="elision",
    articles_case=True,
    articles=["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
)
french_stop = token_filter("carrefour_french_stop", type="stop", stopwords="_french_")
french_stemmer = token_filter("carrefour_french_stemmer", type="stemmer", language="light_french")
edge = token_filter("carrefour_edge", type="edge_ngram", min_gram=2, max_gram=20)

FRENCH = analyzer(
    "carrefour_french",
    tokenizer="standard",
    filter=[french_elision, "lowercase", french_stop, "asciifolding", french_stemmer],
)
AUTOCOMPLETE = analyzer(
    "carrefour_autocomplete",
    tokenizer="standard",
    filter=[french_elision, "lowercase", "asciifolding", edge],
)
AUTOCOMPLETE_SEARCH = analyzer(
    "carrefour_autocomplete_search",
    tokenizer="standard",
    filter=[french_elision, "lowercase", "asciifolding"],
)
FOLD = normalizer("carrefour_fold", filter=["lowercase", "asciifolding"])

TRANSPORT_ERRORS = (
    es_exceptions.ConnectionError,
    es_exceptions.ConnectionTimeout,
    es_exceptions.TransportError,
    es_exceptions.ApiError,
)


class CarrefourDocument(Document):
    key = Keyword()
    kind = Keyword()
    object_id = Keyword()
    url = Keyword(index=False)
    title = Text(
        analyzer=FRENCH,
        fields={
            "raw": Keyword(normalizer=FOLD),
            "suggest": Text(analyzer=AUTOCOMPLETE, search_analyzer=AUTOCOMPLETE_SEARCH),
            "words": Text(analyzer=AUTOCOMPLETE_SEARCH),
        },
    )
    summary = Text(analyzer=FRENCH)
    keywords = Text(analyzer=FRENCH)
    body = Text(analyzer=FRENCH)
    domain = Keyword()
    theme = Keyword()
    region = Keyword()
    departement = Keyword()
    public = Keyword()
    stage = Keyword()
    structure = Keyword()
    source = Keyword()
    scale = Keyword()
    year = Keyword()
    visibility = Keyword()
    points = GeoPoint()
    published_at = Date()
    display = Object(enabled=False)

    class Index:
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


def _body(document: SearchDocument) -> dict:
    values = document.facet_values()
    return {
        "key": document.key,
        "kind": document.kind,
        "object_id": str(document.object_id),
        "url": document.url,
        "title": document.title,
        "summary": document.summary,
        "keywords": " ".join([*document.theme_labels, *document.territory_labels, *document.tags]),
        "body": document.body,
        **{facet: values.get(facet, []) for facet in FACET_NAMES if facet != "kind"},
        "visibility": sorted(set(document.visibility)),
        "points": [{"lat": lat, "lon": lon} for lat, lon in document.points],
        "published_at": document.published_at.isoformat() if document.published_at else None,
        "display": document.display(),
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str, prefix: str):
        self.client = Elasticsearch(url, request_timeout=10, retry_on_timeout=True, max_retries=2)
        self.alias = f"{prefix}-documents"
        self.next_alias = f"{self.alias}-next"

    # --- index management -------------------------------------------------------------
    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TRANSPORT_ERRORS as exc:
            raise BackendUnavailable(f"Elasticsearch: {exc}") from exc

    def _create_index(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 100000}"
        index = CarrefourDocument._index.clone(name)
        index.analyzer(FRENCH)
        index.analyzer(AUTOCOMPLETE)
        index.analyzer(AUTOCOMPLETE_SEARCH)
        self._call(index.create, using=self.client)
        return name

    def _indices_of(self, alias: str) -> list[str]:
        try:
            return sorted(self._call(self.client.indices.get_alias, name=alias).keys())
        except NotFoundError:
            return []

    def _ensure(self) -> None:
        if not self._indices_of(self.alias):
            name = self._create_index()
            self._call(
                self.client.indices.update_aliases,
                actions=[{"add": {"index": name, "alias": self.alias}}],
            )

    def _write_targets(self) -> list[str]:
        self._ensure()
        return sorted(set(self._indices_of(self.alias)) | set(self._indices_of(self.next_alias)))

    def health(self) -> str:
        info = self._call(self.client.info)
        return f"elasticsearch {info['version']['number']}"

    # --- writing ------------------------------------------------------------------------
    def _bulk(self, actions: list[dict]) -> None:
        if not actions:
            return
        try:
            helpers.bulk(self.client, actions, refresh="wait_for", raise_on_error=False)
        except TRANSPORT_ERRORS as exc:
            raise BackendUnavailable(f"Elasticsearch: {exc}") from exc

    def index(self, documents: Iterable[SearchDocument]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        targets = self._write_targets()
        self._bulk(
            [
                {"_op_type": "index", "_index": target, "_id": d.key, "_source": _body(d)}
                for d in documents
                for target in targets
            ]
        )
        return len(documents)

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        targets = self._write_targets()
        self._bulk(
            [
                {"_op_type": "delete", "_index": target, "_id": key}
                for key in keys
                for target in targets
            ]
        )
        return len(keys)

    def keys(self, kind: str | None = None) -> set[str]:
        self._ensure()
        search = Search(using=self.client, index=self.alias).source(["key"])
        if kind:
            search = search.filter("term", kind=kind)
        try:
            return {hit.key for hit in search.scan()}
        except TRANSPORT_ERRORS as exc:
            raise BackendUnavailable(f"Elasticsearch: {exc}") from exc

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        kinds: Iterable[str],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Fill a new index, then point the alias at it in one atomic step."""
        kinds = list(kinds)
        from ..registry import adapters

        if set(kinds) != set(adapters()):
            return self._partial_rebuild(documents, kinds=kinds, progress=progress)
        new_index = self._create_index()
        old = self._indices_of(self.alias)
        # Live updates made during the rebuild reach the new index too.
        self._call(
            self.client.indices.update_aliases,
            actions=[{"add": {"index": new_index, "alias": self.next_alias}}],
        )
        written = 0
        try:
            batch = []
            for document in documents:
                batch.append({"_index": new_index, "_id": document.key, "_source": _body(document)})
                if len(batch) >= 500:
                    self._bulk(batch)
                    written += len(batch)
                    batch = []
                    if progress:
                        progress(written)
            self._bulk(batch)
            written += len(batch)
            if progress:
                progress(written)
            self._call(self.client.indices.refresh, index=new_index)
            actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
            actions += [
                {"add": {"index": new_index, "alias": self.alias}},
                {"remove": {"index": new_index, "alias": self.next_alias}},
            ]
            self._call(self.client.indices.update_aliases, actions=actions)
        except Exception:
            self.client.indices.delete(index=new_index, ignore_unavailable=True)
            raise
        for name in old:
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
        return written

    def _partial_rebuild(self, documents, *, kinds, progress) -> int:
        seen: set[str] = set()
        written = 0
        batch: list[SearchDocument] = []
        for document in documents:
            batch.append(document)
            seen.add(document.key)
            if len(batch) >= 500:
                written += self.index(batch)
                batch = []
                if progress:
                    progress(written)
        written += self.index(batch)
        stale = set().union(*(self.keys(kind) for kind in kinds)) - seen
        self.delete(stale)
        return written

    def clear(self) -> None:
        for name in set(self._indices_of(self.alias)) | set(self._indices_of(self.next_alias)):
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)

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
        if query.geo is not None:
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
            search = search.sort({"published_at": {"order": "desc", "missing": "_last"}}, "key")
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
            if sort == "distance" and hasattr(meta, "sort"):
                distance = round(float(meta.sort[0]), 1)
            elif query.geo is not None:
                distance = self._nearest(hit, query)
            hits.append(
                Hit(
                    key=hit.key,
                    kind=hit.kind,
                    object_id=hit.object_id,
                    url=hit.url,
                    title=hit.title,
                    summary=hit.summary,
                    published_at=_date(getattr(hit, "published_at", None)),
                    display=hit.display.to_dict() if hasattr(hit, "display") else {},
                    highlights=highlights,
                    distance_km=distance,
                    score=meta.score or 0.0,
                )
            )
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
        self._ensure()
        try:
            source = self._call(self.client.get, index=self.alias, id=key)["_source"]
        except NotFoundError:
            return []
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
        for facet, boost in (
            ("theme", 4.0),
            ("departement", 3.0),
            ("domain", 1.5),
            ("region", 1.0),
        ):
            if source.get(facet):
                should.append(Q("terms", **{facet: source[facet], "boost": boost}))
        search = (
            Search(using=self.client, index=self.alias)
            .query(Q("bool", should=should, minimum_should_match=1))
            .filter("terms", visibility=sorted(principals))
            .filter("term", kind=source["kind"])
            .exclude("ids", values=[key])[:limit]
        )
        return [
            Hit(
                key=hit.key,
                kind=hit.kind,
                object_id=hit.object_id,
                url=hit.url,
                title=hit.title,
                summary=hit.summary,
                published_at=_date(getattr(hit, "published_at", None)),
                display=hit.display.to_dict() if hasattr(hit, "display") else {},
                score=hit.meta.score or 0.0,
            )
            for hit in self._call(search.execute)
        ]

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


def _date(value):
    if value is None or hasattr(value, "isoformat"):
        return value
    from django.utils.dateparse import parse_datetime

    return parse_datetime(str(value))
