"""Relevance measures for ``manage.py search_evaluate``: pure functions over graded
judgments (0–3) and ranked lists of references, without Django.

``judgments`` maps a reference (any hashable: a demo project's title, a partner's
(source slug, identifier)) to its grade; a reference nobody judged counts as 0.

nDCG uses linear gains (the grade itself, as trec_eval does) and the log2
discount: DCG@k = Σ grade(rᵢ) / log2(i + 1) for i = 1…k. The ideal DCG sorts every
judged reference of positive grade, whether the engine found it or not, so missing
a relevant project costs as much as ranking it last.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence

RELEVANT = 2  # P@k counts a result as relevant from this grade up


def dcg(grades: Iterable[float]) -> float:
    """Discounted cumulative gain of grades in rank order (first rank: discount 1)."""
    return sum(grade / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at_k(ranked: Sequence[Hashable], judgments: Mapping[Hashable, int], k: int = 10) -> float:
    """nDCG@k of ``ranked``; 0.0 when no judged reference has a positive grade
    (such a query measures nothing: the file loader refuses it)."""
    ideal = dcg(sorted((g for g in judgments.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(judgments.get(ref, 0) for ref in ranked[:k]) / ideal


def precision_at_k(
    ranked: Sequence[Hashable], judgments: Mapping[Hashable, int], k: int = 5
) -> float:
    """Share of the first ``k`` ranks holding a result of grade ≥ 2. Missing ranks
    (fewer than ``k`` results) count as not relevant: the denominator stays ``k``."""
    if k <= 0:
        raise ValueError("k doit être positif.")
    return sum(1 for ref in ranked[:k] if judgments.get(ref, 0) >= RELEVANT) / k


def zero_result_rate(result_counts: Iterable[int]) -> float:
    """Share of queries that found nothing (0.0 for no query at all)."""
    counts = list(result_counts)
    if not counts:
        return 0.0
    return sum(1 for count in counts if count == 0) / len(counts)


def top_k_agreement(first: Sequence[Hashable], second: Sequence[Hashable], k: int = 10) -> float:
    """How much two rankings share their top ``k``: |A ∩ B| / max(|A|, |B|), order
    ignored. 1.0 when both are empty (they agree on finding nothing), 0.0 when only
    one is."""
    a, b = set(first[:k]), set(second[:k])
    if not a and not b:
        return 1.0
    return len(a & b) / max(len(a), len(b))


def same_top_k(first: Sequence[Hashable], second: Sequence[Hashable], k: int = 10) -> bool:
    """The two rankings show exactly the same first ``k`` results, in the same order."""
    return list(first[:k]) == list(second[:k])


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
