"""Query understanding through the taxonomy: which facet values a query names.

Apps register concept providers (search/registry.py). A provider usually holds a
list of ConceptEntry (a facet value, its label and the other ways to say it) and a
ConceptMatcher over them: a phrase names the concept when its analysed words
(search/text.py: accents, case, plural, elisions and stop words aside) appear in a row
in the query. search/ knows no facet of any app: it only reads what providers say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import text as analysis
from .registry import Concept, concept_providers

MAX_CONCEPTS = 6


@dataclass(frozen=True)
class ConceptEntry:
    facet: str
    value: str
    label: str
    kind_label: str
    phrases: tuple[str, ...]  # the label and its synonyms


@dataclass(frozen=True)
class ConceptMatch:
    concept: Concept
    start: int  # span of the query's stems that named it
    end: int


class ConceptMatcher:
    def __init__(self, entries: Iterable[ConceptEntry]):
        self._by_first: dict[str, list[tuple[tuple[str, ...], ConceptEntry, str]]] = {}
        for entry in entries:
            for phrase in dict.fromkeys(p for p in entry.phrases if p and p.strip()):
                tokens = tuple(analysis.analyse(phrase))
                if tokens:
                    self._by_first.setdefault(tokens[0], []).append((tokens, entry, phrase))

    def matches(self, sequence: tuple[str, ...]) -> list[ConceptMatch]:
        """Every entry named in ``sequence`` (a query's stems), by its longest phrase
        found; a match lying strictly inside a longer one is dropped (« insertion par
        l'activité économique » names the sub-theme, not also « activité »)."""
        best: dict[tuple[str, str], ConceptMatch] = {}
        for start, token in enumerate(sequence):
            for tokens, entry, phrase in self._by_first.get(token, ()):
                end = start + len(tokens)
                if tuple(sequence[start:end]) != tokens:
                    continue
                key = (entry.facet, entry.value)
                current = best.get(key)
                if current is None or end - start > current.end - current.start:
                    concept = Concept(
                        facet=entry.facet,
                        value=entry.value,
                        label=entry.label,
                        kind_label=entry.kind_label,
                        phrase=phrase,
                    )
                    best[key] = ConceptMatch(concept, start, end)
        found = list(best.values())
        kept = [
            match
            for match in found
            if not any(
                other.start <= match.start
                and match.end <= other.end
                and other.end - other.start > match.end - match.start
                for other in found
            )
        ]
        kept.sort(key=lambda m: (m.start, -(m.end - m.start), m.concept.key))
        return kept

    def find(self, text: str) -> list[Concept]:
        return [m.concept for m in self.matches(analysis.parse(text).sequence)]


def concepts_in(*, text: str) -> list[Concept]:
    """The concepts every registered provider finds in ``text``, each once."""
    found: dict[str, Concept] = {}
    for provider in concept_providers():
        for concept in provider(text):
            found.setdefault(concept.key, concept)
    return list(found.values())[:MAX_CONCEPTS]


def concept_span(concept: Concept, sequence: tuple[str, ...]) -> tuple[int, int] | None:
    """Where in ``sequence`` the concept's phrase lies (first occurrence)."""
    tokens = tuple(analysis.analyse(concept.phrase))
    if not tokens:
        return None
    for start in range(len(sequence) - len(tokens) + 1):
        if tuple(sequence[start : start + len(tokens)]) == tokens:
            return start, start + len(tokens)
    return None
