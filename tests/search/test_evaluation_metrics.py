"""The relevance measures of search/evaluation/metrics.py on examples computed by
hand, and the reading of the judged queries file."""

from __future__ import annotations

import math

import pytest

from search.evaluation.judgments import (
    QUERIES_FILE,
    JudgmentsError,
    Reference,
    load_queries,
)
from search.evaluation.metrics import (
    dcg,
    mean,
    ndcg_at_k,
    precision_at_k,
    same_top_k,
    top_k_agreement,
    zero_result_rate,
)

LOG2_3 = math.log2(3)


def test_dcg_discounts_each_rank_by_log2_of_rank_plus_one():
    # 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5
    assert dcg([3, 2, 1]) == pytest.approx(3 + 2 / LOG2_3 + 0.5)
    assert dcg([]) == 0


def test_ndcg_of_a_hand_computed_ranking():
    judgments = {"a": 3, "b": 2, "c": 1}
    # DCG = 2/1 + 0 + 3/2 = 3.5 ; ideal (3, 2, 1) = 4.76186
    assert ndcg_at_k(["b", "x", "a"], judgments, k=3) == pytest.approx(3.5 / (3 + 2 / LOG2_3 + 0.5))
    assert ndcg_at_k(["b", "x", "a"], judgments, k=3) == pytest.approx(0.735006, abs=1e-6)


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_relevant_results():
    judgments = {"a": 3, "b": 2, "c": 1, "z": 0}
    assert ndcg_at_k(["a", "b", "c"], judgments) == pytest.approx(1.0)
    assert ndcg_at_k(["z", "x"], judgments) == 0
    assert ndcg_at_k([], judgments) == 0


def test_ndcg_ideal_counts_relevant_projects_the_engine_did_not_find():
    # Only « a » found: DCG 3, ideal 3 + 3/log2(3) = 4.89279
    assert ndcg_at_k(["a"], {"a": 3, "b": 3}) == pytest.approx(3 / (3 + 3 / LOG2_3))
    assert ndcg_at_k(["a"], {"a": 3, "b": 3}) == pytest.approx(0.613147, abs=1e-6)


def test_ndcg_looks_at_the_first_k_ranks_only():
    judgments = {"a": 3}
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranked, judgments, k=10) == 0
    assert ndcg_at_k(ranked, judgments, k=11) == pytest.approx(1 / math.log2(12))
    # The ideal is cut at k too: twelve projects of grade 1, ten results all relevant.
    many = {f"r{i}": 1 for i in range(12)}
    assert ndcg_at_k([f"r{i}" for i in range(10)], many, k=10) == pytest.approx(1.0)


def test_ndcg_without_any_relevant_judgment_is_zero():
    assert ndcg_at_k(["a"], {"a": 0}) == 0


def test_precision_counts_grades_two_and_three_over_k():
    judgments = {"a": 3, "b": 2, "c": 1}
    assert precision_at_k(["a", "x", "b", "c", "y"], judgments, k=5) == pytest.approx(0.4)
    # Fewer results than k: the missing ranks are not relevant.
    assert precision_at_k(["a"], judgments, k=5) == pytest.approx(0.2)
    assert precision_at_k(["c"], judgments, k=1) == 0
    with pytest.raises(ValueError):
        precision_at_k(["a"], judgments, k=0)


def test_zero_result_rate():
    assert zero_result_rate([0, 3, 0, 10]) == pytest.approx(0.5)
    assert zero_result_rate([1, 2]) == 0
    assert zero_result_rate([]) == 0


def test_top_k_agreement_is_the_shared_part_of_the_two_top_lists():
    assert top_k_agreement(["a", "b", "c"], ["c", "b", "d"]) == pytest.approx(2 / 3)
    assert top_k_agreement(["a", "b"], ["a", "b", "c", "d"]) == pytest.approx(0.5)
    assert top_k_agreement(["a", "b"], ["b", "a"]) == 1  # order does not matter here
    assert top_k_agreement([], []) == 1
    assert top_k_agreement(["a"], []) == 0
    # Only the first k count.
    assert top_k_agreement(["a", "b", "x"], ["a", "b", "y"], k=2) == 1


def test_same_top_k_needs_the_same_results_in_the_same_order():
    assert same_top_k(["a", "b"], ["a", "b"])
    assert not same_top_k(["a", "b"], ["b", "a"])
    assert same_top_k(["a", "b", "x"], ["a", "b", "y"], k=2)


def test_mean():
    assert mean([1, 2, 3]) == 2
    assert mean([]) == 0


def _write(tmp_path, text):
    path = tmp_path / "queries.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_queries_file_references_demo_titles_partner_records_and_whole_sources(tmp_path):
    path = _write(
        tmp_path,
        """
queries:
  - text: "jardins partagés"
    kind: mots-cles
    variants: ["jardins partages"]
    judgments:
      - {project: "Les Jardins partagés des Trois-Cités", grade: 3}
      - {source: gironde, id: "42", grade: 2}
      - {source: gironde, id: "*", grade: 1}
      - {source: corse, id: "7", grade: 0}
""",
    )
    (query,) = load_queries(path)
    assert query.variants == ("jardins partages",)
    assert query.relevant == {
        Reference("", "Les Jardins partagés des Trois-Cités"),
        Reference("gironde", "42"),
    }
    assert query.whole_sources == {"gironde": 1}
    expanded = query.expanded({"gironde": ["42", "43"], "corse": ["7", "8"]})
    assert expanded[Reference("gironde", "42")] == 2  # judged by name: kept
    assert expanded[Reference("gironde", "43")] == 1  # the rest of the source
    assert expanded[Reference("corse", "7")] == 0
    assert Reference("corse", "8") not in expanded
    assert Reference("gironde", "*") not in expanded


@pytest.mark.parametrize(
    ("judgments", "message"),
    [
        ('[{project: "A", grade: 4}]', "grade"),
        ('[{project: "A", grade: 2}, {project: "A", grade: 1}]', "deux fois"),
        ('[{project: "A", grade: 0}]', "aucun projet pertinent"),
        ("[{source: gironde, grade: 2}]", "« source » et « id »"),
        ('[{project: "A", source: gironde, id: "1", grade: 2}]', "pas les deux"),
    ],
)
def test_a_malformed_queries_file_is_refused_with_a_reason(tmp_path, judgments, message):
    path = _write(
        tmp_path,
        f"queries:\n  - text: q\n    kind: mots-cles\n    judgments: {judgments}\n",
    )
    with pytest.raises(JudgmentsError, match=message):
        load_queries(path)


def test_an_unknown_kind_or_a_variant_equal_to_the_query_is_refused(tmp_path):
    base = "queries:\n  - text: q\n    kind: {kind}\n    variants: {variants}\n"
    base += '    judgments: [{{project: "A", grade: 2}}]\n'
    with pytest.raises(JudgmentsError, match="kind"):
        load_queries(_write(tmp_path, base.format(kind="autre", variants="[]")))
    with pytest.raises(JudgmentsError, match="variante"):
        load_queries(_write(tmp_path, base.format(kind="mots-cles", variants="[q]")))


def test_the_shipped_queries_cover_the_kinds_the_evaluation_needs():
    queries = load_queries(QUERIES_FILE)
    kinds = [query.kind for query in queries]
    assert len(queries) >= 45
    assert kinds.count("paraphrase") >= 15
    assert {"mots-cles", "lieu", "multi-mots", "accents"} <= set(kinds)
    assert all(query.variants for query in queries)
    assert all(query.relevant or query.whole_sources for query in queries)
