"""Index lifecycle and writes: bootstrap, dual-write during rebuilds, alias swap.

Names: the alias ``<prefix>-documents`` is what searches read; an index is born
``<prefix>-documents-initial`` (bootstrap on first use: a deterministic name, so two
workers bootstrapping at once create one index — the second gets « already
exists » and uses it) or ``<prefix>-documents-<timestamp>`` (a rebuild). While a
rebuild fills its new index, the alias ``<prefix>-documents-next`` points at it and
every live write goes to both (dual write); then one ``_aliases`` call moves the
alias and the old index is deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from core.env import SearchEngineSettings

from ...documents import SearchDocument
from ..base import BackendUnavailable, DocumentsRejected, SearchBackend
from . import bulk
from .client import EngineNotFound, EngineRequestError, LazyEngineClient
from .index import _body, index_body
from .queries import QueriesMixin

logger = logging.getLogger(__name__)

REBUILD_RETRIES = (1.0, 2.0, 4.0)  # seconds between in-process retries of a rebuild batch


class ElasticsearchBackend(QueriesMixin, SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, config: SearchEngineSettings, prefix: str):
        self.config = config
        self.engine = LazyEngineClient(config)
        self.alias = f"{prefix}-documents"
        self.next_alias = f"{self.alias}-next"
        self.initial_index = f"{self.alias}-initial"

    # --- index lifecycle --------------------------------------------------------------
    def _indices(self) -> dict[str, list[str]]:
        """Every index of this prefix → its aliases (a missing alias is « none »,
        never an outage)."""
        return self.engine.aliases(f"{self.alias}-*")

    def _indices_of(self, alias: str) -> list[str]:
        return sorted(name for name, aliases in self._indices().items() if alias in aliases)

    def _body(self, *, alias: str | None = None) -> dict:
        return index_body(shards=self.config.shards, replicas=self.config.replicas, alias=alias)

    def _ensure(self) -> None:
        """Bootstrap: the first index and its alias, created together."""
        if self._indices_of(self.alias):
            return
        try:
            self.engine.create_index(name=self.initial_index, body=self._body(alias=self.alias))
            logger.info("Search index %s created", self.initial_index)
        except EngineRequestError as exc:
            if exc.error_type != "resource_already_exists_exception":
                raise
            # Another worker created it first (or it lost its alias): point at it.
            self.engine.update_aliases(
                [{"add": {"index": self.initial_index, "alias": self.alias}}]
            )

    def _write_targets(self) -> list[str]:
        indices = self._indices()
        live = [name for name, aliases in indices.items() if self.alias in aliases]
        if not live:
            self._ensure()
            indices = self._indices()
        return sorted(
            name
            for name, aliases in indices.items()
            if self.alias in aliases or self.next_alias in aliases
        )

    def health(self) -> str:
        info = self.engine.info()
        version = info.get("version", {})
        return f"{version.get('distribution', 'elasticsearch')} {version.get('number', '?')}"

    def refresh(self) -> None:
        for name in self._write_targets():
            self.engine.refresh(name)

    def count(self) -> int:
        try:
            return self.engine.count(index=self.alias)
        except EngineNotFound:
            return 0

    # --- writing ------------------------------------------------------------------------
    def _write(self, build: Callable[[str, int], list[dict]], keys: list[str]) -> int:
        if not keys:
            return 0
        targets = self._write_targets()
        outcome = bulk.BulkOutcome()
        for start in range(0, len(keys), bulk.BATCH):
            chunk = keys[start : start + bulk.BATCH]
            version = bulk.next_version()
            operations = [
                line for key in chunk for target in targets for line in build(key, version, target)
            ]
            outcome.add(bulk.send(self.engine, operations, keys=chunk))
        outcome.raise_for_failures()
        return outcome.written

    def index(self, documents: Iterable[SearchDocument]) -> int:
        by_key = {document.key: document for document in documents}
        bodies = {key: _body(document) for key, document in by_key.items()}
        return self._write(
            lambda key, version, target: bulk.index_action(
                index=target, key=key, source=bodies[key], version=version
            ),
            list(bodies),
        )

    def delete(self, keys: Iterable[str]) -> int:
        return self._write(
            lambda key, version, target: bulk.delete_action(index=target, key=key, version=version),
            list(dict.fromkeys(keys)),
        )

    def keys(self, kind: str | None = None) -> set[str]:
        return set(self.fingerprints(kind))

    def fingerprints(self, kind: str | None = None) -> dict[str, str]:
        query = {"query": {"term": {"kind": kind}}} if kind else {"query": {"match_all": {}}}
        try:
            hits = self.engine.scan(index=self.alias, query=query, source=["key", "fingerprint"])
            return {hit["_source"]["key"]: hit["_source"].get("fingerprint", "") for hit in hits}
        except EngineNotFound:
            return {}

    # --- rebuilding ---------------------------------------------------------------------
    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        kinds: Iterable[str],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Fill a new index, then point the alias at it in one atomic step. Raises
        DocumentsRejected after the swap when the engine refused some documents."""
        from search.registry import adapters

        kinds = list(kinds)
        if set(kinds) != set(adapters()):
            return self._partial_rebuild(documents, kinds=kinds, progress=progress)
        self._drop_leftovers()
        new_index = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 10**6:06d}"
        # Born with the -next alias: live writes reach it from now on.
        self.engine.create_index(name=new_index, body=self._body(alias=self.next_alias))
        # Every document read from the database from now on is at least as new as
        # this version; a live write made meanwhile gets a later one and wins.
        version = bulk.next_version()
        outcome = bulk.BulkOutcome()
        try:
            batch: list[SearchDocument] = []
            for document in documents:
                batch.append(document)
                if len(batch) >= bulk.BATCH:
                    outcome.add(self._rebuild_batch(new_index, batch, version))
                    batch = []
                    if progress:
                        progress(outcome.written)
            outcome.add(self._rebuild_batch(new_index, batch, version))
            if progress:
                progress(outcome.written)
            old = self._indices_of(self.alias)
            self.engine.update_aliases(
                [
                    *({"remove": {"index": name, "alias": self.alias}} for name in old),
                    {"add": {"index": new_index, "alias": self.alias}},
                    {"remove": {"index": new_index, "alias": self.next_alias}},
                ]
            )
        except BaseException:
            self._delete_quietly(new_index)
            raise
        for name in old:
            self._delete_quietly(name)
        outcome.raise_for_failures()
        return outcome.written

    def _rebuild_batch(
        self, index: str, documents: list[SearchDocument], version: int
    ) -> bulk.BulkOutcome:
        """One batch into the new index; what the engine could not take now (429,
        5xx) is retried here a few times, then the rebuild gives up (the live index
        is untouched)."""
        bodies = {document.key: _body(document) for document in documents}
        outcome = bulk.BulkOutcome()
        pending = list(bodies)
        for delay in (*REBUILD_RETRIES, None):
            operations = [
                line
                for key in pending
                for line in bulk.index_action(
                    index=index, key=key, source=bodies[key], version=version
                )
            ]
            try:
                step = bulk.send(self.engine, operations, keys=pending)
            except BackendUnavailable:
                if delay is None:
                    raise
                time.sleep(delay)
                continue
            outcome.written += step.written
            outcome.rejected.update(step.rejected)
            pending = list(step.retry)
            if not pending:
                return outcome
            if delay is None:
                raise BackendUnavailable(
                    f"Reconstruction interrompue : {len(pending)} documents refusés "
                    f"temporairement ({next(iter(step.retry.values()))})"
                )
            time.sleep(delay)
        return outcome

    def _drop_leftovers(self) -> None:
        """Indexes of this prefix that no alias reads: a rebuild that died midway."""
        for name, aliases in self._indices().items():
            if self.alias not in aliases:
                logger.warning("Deleting leftover search index %s (aliases: %s)", name, aliases)
                self._delete_quietly(name)

    def _delete_quietly(self, name: str) -> None:
        try:
            self.engine.delete_index(name)
        except (BackendUnavailable, EngineNotFound):
            logger.warning("Could not delete search index %s; the next rebuild will", name)

    def _partial_rebuild(self, documents, *, kinds, progress) -> int:
        """Some kinds only: rewrite their documents in place, then delete the ones
        the database no longer gives."""
        seen: set[str] = set()
        written = 0
        rejected = DocumentsRejected(written=0, retry={}, rejected={})
        batch: list[SearchDocument] = []

        def flush() -> int:
            try:
                return self.index(batch)
            except DocumentsRejected as exc:
                if exc.retry:
                    raise
                rejected.rejected.update(exc.rejected)
                return exc.written

        for document in documents:
            batch.append(document)
            seen.add(document.key)
            if len(batch) >= bulk.BATCH:
                written += flush()
                batch = []
                if progress:
                    progress(written)
        written += flush()
        stale = set().union(*(self.keys(kind) for kind in kinds)) - seen
        self.delete(stale)
        if rejected.rejected:
            raise DocumentsRejected(written=written, retry={}, rejected=rejected.rejected)
        return written

    def clear(self) -> None:
        for name in self._indices():
            self._delete_quietly(name)
