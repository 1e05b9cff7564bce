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

from .backend import ElasticsearchBackend

__all__ = ["ElasticsearchBackend"]
