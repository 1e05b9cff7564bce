"""The index: French analysis, the document mapping, and documents as indexed."""

from __future__ import annotations

from elasticsearch import exceptions as es_exceptions
from elasticsearch.dsl import (
    Date,
    Document,
    GeoPoint,
    Keyword,
    Object,
    Text,
    analyzer,
    normalizer,
    token_filter,
)

from ...documents import FACET_NAMES, SearchDocument

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
    fingerprint = Keyword(index=False)
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
        "fingerprint": document.fingerprint(),
        "points": [{"lat": lat, "lon": lon} for lat, lon in document.points],
        "published_at": document.published_at.isoformat() if document.published_at else None,
        "display": document.display(),
    }


def _date(value):
    if value is None or hasattr(value, "isoformat"):
        return value
    from django.utils.dateparse import parse_datetime

    return parse_datetime(str(value))
