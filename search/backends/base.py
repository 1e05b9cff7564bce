"""The contract every search backend fulfils (tests/search/test_contract.py runs the
same suite against each)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from ..documents import SearchDocument
from ..query import Hit, SearchQuery, SearchResults


class BackendUnavailable(RuntimeError):
    """The search engine cannot be reached; index updates wait in the queue."""


class DocumentsRejected(RuntimeError):
    """A write went through but some documents were not written. ``retry``: the
    engine failed for them (429, 5xx) — they go back to the queue with its backoff;
    ``rejected``: refused as written (a mapping or parse error, 400) — sending them
    again would fail the same way: they go to the dead-letter list (SearchDeadLetter)
    with the engine's reason. Keys map to reasons; ``written`` counts the others."""

    def __init__(self, *, written: int, retry: dict[str, str], rejected: dict[str, str]):
        self.written = written
        self.retry = dict(retry)
        self.rejected = dict(rejected)
        parts = [f"{key}: {reason}" for key, reason in [*retry.items(), *rejected.items()]]
        super().__init__(
            f"{len(retry)} à réessayer, {len(rejected)} refusés ({'; '.join(parts[:3])})"
        )


class SearchBackend(ABC):
    name: str = ""

    @abstractmethod
    def health(self) -> str:
        """A short description when reachable; raises BackendUnavailable otherwise."""

    @abstractmethod
    def index(self, documents: Iterable[SearchDocument]) -> int:
        """Insert or replace documents; returns how many were written."""

    @abstractmethod
    def delete(self, keys: Iterable[str]) -> int:
        """Remove documents by key (``kind:id``); unknown keys are ignored."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Results, facet counts and highlights, among documents visible to
        ``query.principals`` only."""

    @abstractmethod
    def suggest_titles(
        self, text: str, *, principals: frozenset[str], limit: int = 5
    ) -> list[tuple[str, str]]:
        """(title, url) of visible documents whose title has words starting so."""

    @abstractmethod
    def similar(self, key: str, *, principals: frozenset[str], limit: int = 4) -> list[Hit]:
        """Visible documents most like the one with ``key`` (itself excluded)."""

    @abstractmethod
    def vocabulary_suggestion(self, text: str, *, principals: frozenset[str]) -> str:
        """A corrected query when ``text`` has likely typos and finds nothing, else ""."""

    @abstractmethod
    def keys(self, kind: str | None = None) -> set[str]:
        """Every indexed key (of one kind)."""

    @abstractmethod
    def fingerprints(self, kind: str | None = None) -> dict[str, str]:
        """Every indexed key (of one kind) → the fingerprint stored with it."""

    @abstractmethod
    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        kinds: Iterable[str],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Replace every document of ``kinds`` by ``documents`` without a moment
        where searches find nothing (Elasticsearch: new index, then alias swap)."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything (tests and full rebuilds)."""

    def refresh(self) -> None:
        """Make every write so far visible to searches. Engines do it by themselves
        within a second (writes never wait for it); tests that read right after
        writing call it. The database backend's writes are visible at commit."""
        return None

    def count(self) -> int:
        """How many documents the index holds (all kinds, all visibilities)."""
        return len(self.keys())
