"""The contract every search backend fulfils (tests/search/test_contract.py runs the
same suite against each)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from ..documents import SearchDocument
from ..query import Hit, SearchQuery, SearchResults


class BackendUnavailable(RuntimeError):
    """The search engine cannot be reached; index updates wait in the queue."""


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
