"""Index management: create, alias, bulk writes, zero-downtime rebuilds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import (
    Search,
)

from ...documents import SearchDocument
from ..base import BackendUnavailable, SearchBackend
from .index import (
    AUTOCOMPLETE,
    AUTOCOMPLETE_SEARCH,
    FRENCH,
    TRANSPORT_ERRORS,
    CarrefourDocument,
    _body,
)
from .queries import QueriesMixin


class ElasticsearchBackend(QueriesMixin, SearchBackend):
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
        return set(self.fingerprints(kind))

    def fingerprints(self, kind: str | None = None) -> dict[str, str]:
        self._ensure()
        search = Search(using=self.client, index=self.alias).source(["key", "fingerprint"])
        if kind:
            search = search.filter("term", kind=kind)
        try:
            return {hit.key: getattr(hit, "fingerprint", "") for hit in search.scan()}
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
