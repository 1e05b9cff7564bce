"""How a query is read, the same for every backend (the engine mirrors it, see
docs/recherche-pertinence.md): the query's words become *units*, each matched by
any of its alternatives; synonyms widen a unit; concepts add facet clauses.

- Each word left by the French analysis (search/text.py) is a unit; a span of words
  that a synonym term matches (search/synonyms.py) is one unit whose alternatives are
  every equivalent term (a multi-word alternative is matched as a phrase).
- A quoted phrase is a *required* unit: documents without it are not found.
- Concepts (search/concepts.py): a phrase of the query naming a facet value adds a
  clause — documents tagged with that value match the units of the phrase, with
  CONCEPT_WEIGHT instead of TEXT_WEIGHT. The visitor may drop a concept
  (``sans_concept=public:seniors``): its clause is then left out.

Ranking (the OR rule): documents matching at least one unit are found; they are
ordered by their *coordination* — the sum, over units, of the best weight with which
the document matches it (1 by its text, 0.8 by a concept only) — so documents that
match every word come first, then those that match the most; within the same
coordination, by text relevance (bm25 / ts_rank, field boosts) plus CONCEPT_BONUS
when a concept's tag is on the document too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import text as analysis
from .concepts import concept_span, concepts_in
from .registry import Concept
from .synonyms import synonyms_expand

TEXT_WEIGHT = 1.0
CONCEPT_WEIGHT = 0.8
# Added to the normalised text score (0–1) of a document tagged with an understood
# concept: ties within a coordination level go to the tagged documents.
CONCEPT_BONUS = 0.3


@dataclass(frozen=True)
class Unit:
    alternatives: tuple[tuple[str, ...], ...]  # token sequences; the query's own first
    positions: tuple[int, ...]  # indexes in the parsed query's sequence
    folded: str = ""  # a one-word unit: the word folded (typo tolerance)
    required: bool = False  # a quoted phrase
    terms: tuple[str, ...] = ()  # synonym terms as editors wrote them

    @property
    def fuzzy_eligible(self) -> bool:
        """Typo tolerance applies to one-word units without synonyms."""
        return (
            not self.required
            and len(self.alternatives) == 1
            and len(self.alternatives[0]) == 1
            and analysis.max_edits(self.folded) > 0
            and self.folded.isalpha()
        )


@dataclass(frozen=True)
class Clause:
    concept: Concept
    units: tuple[int, ...]  # indexes in Interpretation.units


@dataclass(frozen=True)
class Interpretation:
    parsed: analysis.ParsedQuery
    units: tuple[Unit, ...]
    clauses: tuple[Clause, ...]
    dropped: tuple[Concept, ...]

    @property
    def empty(self) -> bool:
        return not self.units

    @property
    def concepts(self) -> tuple[Concept, ...]:
        return tuple(clause.concept for clause in self.clauses)

    def stems(self) -> frozenset[str]:
        """Every token some alternative looks for (highlighting)."""
        return frozenset(t for unit in self.units for alt in unit.alternatives for t in alt)


def interpret(*, text: str, dropped: Iterable[str] = ()) -> Interpretation:
    parsed = analysis.parse(text)
    sequence = parsed.sequence
    expansions = {e.start: e for e in synonyms_expand(sequence=sequence)}
    units: list[Unit] = []
    by_alternatives: dict[tuple, int] = {}

    def add(unit: Unit) -> None:
        # The same word twice is one unit (« vélo … vélo »).
        seen = by_alternatives.get(unit.alternatives)
        if seen is not None:
            old = units[seen]
            units[seen] = Unit(
                old.alternatives,
                old.positions + unit.positions,
                old.folded,
                old.required,
                old.terms,
            )
            return
        by_alternatives[unit.alternatives] = len(units)
        units.append(unit)

    position = 0
    while position < len(sequence):
        expansion = expansions.get(position)
        if expansion is not None:
            own = tuple(sequence[expansion.start : expansion.end])
            alternatives = (own, *(a for a in expansion.alternatives if a != own))
            add(
                Unit(
                    alternatives,
                    tuple(range(expansion.start, expansion.end)),
                    terms=expansion.terms,
                )
            )
            position = expansion.end
            continue
        add(Unit(((sequence[position],),), (position,), folded=parsed.folded[position]))
        position += 1
    for phrase in parsed.phrases:
        add(Unit((phrase,), (), required=True))

    unwanted = {key.strip() for key in dropped if key and key.strip()}
    clauses, dropped_concepts = [], []
    if sequence:
        for concept in concepts_in(text=analysis.unquoted(text)):
            if concept.key in unwanted:
                dropped_concepts.append(concept)
                continue
            span = concept_span(concept, sequence)
            if span is None:
                continue
            covered = set(range(*span))
            indexes = tuple(i for i, unit in enumerate(units) if covered & set(unit.positions))
            if indexes:
                clauses.append(Clause(concept, indexes))
    return Interpretation(parsed, tuple(units), tuple(clauses), tuple(dropped_concepts))
