"""The index: French analysis, the document mapping, and documents as indexed."""

from __future__ import annotations

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

from ...documents import SearchDocument

FACET_LIMIT = 300


def facet_field(name: str) -> str:
    """Where a facet's values are: ``kind`` at the top, every facet an app declares
    under ``facets.`` (keyword by the index's dynamic template: a new facet needs no
    new mapping, nor a rebuild, only its documents indexed)."""
    return "kind" if name == "kind" else f"facets.{name}"


# Lucene's elision filter strips both the straight (') and the typographic (’)
# apostrophe; the standard tokenizer keeps « l’emploi » as one token for it
# (checked with _analyze in tests/search/test_engine_analysis.py).
french_elision = token_filter(
    "carrefour_elision",
    type="elision",
    articles_case=True,
    articles=["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
)
# Words that carry meaning in a query (« sans abri », « plus de 60 ans », « mais »):
# neither dropped as stop words nor stemmed (« sans » → « san »).
PROTECTED_WORDS = ["sans", "mais", "plus"]
# The Snowball French stop list (Elasticsearch's « _french_ ») without PROTECTED_WORDS.
_SNOWBALL_FRENCH_STOP = """
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma
me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
son sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y
été étée étées étés étant suis es est sommes êtes sont serai seras sera
serons serez seront serais serait serions seriez seraient étais était
étions étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez
soient fusse fusses fût fussions fussiez fussent ayant eu eue eues eus ai as
avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions
auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie
aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent ceci cela
celà cet cette ici ils les leurs quel quels quelle quelles sans soi
"""
FRENCH_STOP_WORDS = sorted(set(_SNOWBALL_FRENCH_STOP.split()) - set(PROTECTED_WORDS))
french_stop = token_filter("carrefour_french_stop", type="stop", stopwords=FRENCH_STOP_WORDS)
french_protected = token_filter(
    "carrefour_protected", type="keyword_marker", keywords=PROTECTED_WORDS
)
french_stemmer = token_filter("carrefour_french_stemmer", type="stemmer", language="light_french")
edge = token_filter("carrefour_edge", type="edge_ngram", min_gram=2, max_gram=20)
# « Did you mean »: word pairs of the title, for the phrase suggester.
shingle = token_filter("carrefour_shingle", type="shingle", min_shingle_size=2, max_shingle_size=3)

FRENCH = analyzer(
    "carrefour_french",
    tokenizer="standard",
    filter=[
        french_elision,
        "lowercase",
        french_stop,
        french_protected,
        french_stemmer,
        "asciifolding",
    ],
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
TRIGRAMS = analyzer(
    "carrefour_trigrams",
    tokenizer="standard",
    filter=[french_elision, "lowercase", "asciifolding", shingle],
)
ANALYZERS = (FRENCH, AUTOCOMPLETE, AUTOCOMPLETE_SEARCH, TRIGRAMS)
FOLD = normalizer("carrefour_fold", filter=["lowercase", "asciifolding"])


class CarrefourDocument(Document):
    key = Keyword()
    kind = Keyword()
    object_id = Keyword()
    url = Keyword(index=False)
    title = Text(
        analyzer=FRENCH,
        copy_to="everything",
        fields={
            "raw": Keyword(normalizer=FOLD),
            "suggest": Text(analyzer=AUTOCOMPLETE, search_analyzer=AUTOCOMPLETE_SEARCH),
            "words": Text(analyzer=AUTOCOMPLETE_SEARCH),
            "trigrams": Text(analyzer=TRIGRAMS),
        },
    )
    summary = Text(analyzer=FRENCH, copy_to="everything")
    keywords = Text(analyzer=FRENCH, copy_to="everything")
    body = Text(analyzer=FRENCH, copy_to="everything")
    # Every text field as one: « how many of the words does the document have »,
    # whichever field holds each (queries.py).
    everything = Text(analyzer=FRENCH)
    facets = Object(dynamic=True)
    visibility = Keyword()
    fingerprint = Keyword(index=False)
    points = GeoPoint()
    published_at = Date()
    display = Object(enabled=False)


# Live writes carry an external version (microseconds when the document was built):
# a rebuild that read an object before a publish cannot overwrite the newer document
# the publish wrote, nor bring back one it deleted while the delete's tombstone
# lasts (index.gc_deletes).
GC_DELETES = "10m"


def index_body(*, shards: int, replicas: int, alias: str | None = None) -> dict:
    """Settings, analysis and mappings of a new index (elasticsearch.dsl's
    ``Index.to_dict()``), with the alias it is born with, if any."""
    index = CarrefourDocument._index.clone("carrefour")
    for item in ANALYZERS:
        index.analyzer(item)
    index.settings(
        number_of_shards=shards,
        number_of_replicas=replicas,
        gc_deletes=GC_DELETES,
        # Deep pages go through search_after (queries.py), never past this window.
        max_result_window=10_000,
    )
    body = index.to_dict()
    # Any facet an app declares is a keyword (exact codes, aggregations).
    body["mappings"]["dynamic_templates"] = [
        {
            "facets": {
                "path_match": "facets.*",
                "match_mapping_type": "*",
                "mapping": {"type": "keyword"},
            }
        }
    ]
    if alias:
        body["aliases"] = {alias: {}}
    return body


def _body(document: SearchDocument) -> dict:
    values = document.facet_values()
    return {
        "key": document.key,
        "kind": document.kind,
        "object_id": str(document.object_id),
        "url": document.url,
        "title": document.title,
        "summary": document.summary,
        "keywords": " ".join(document.keywords),
        "body": document.body,
        "facets": {facet: codes for facet, codes in values.items() if facet != "kind"},
        "visibility": sorted(set(document.visibility)),
        "fingerprint": document.fingerprint(),
        "points": [{"lat": lat, "lon": lon} for lat, lon in document.points],
        "published_at": document.published_at.isoformat() if document.published_at else None,
        "display": document.stored_display(),
    }


def _date(value):
    if value is None or hasattr(value, "isoformat"):
        return value
    from django.utils.dateparse import parse_datetime

    return parse_datetime(str(value))
