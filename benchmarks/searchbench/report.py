"""The side-by-side table of every target's figures, each goal next to them."""

from __future__ import annotations

from benchmarks.searchbench.targets import (
    ENGINE_INDEXING_GOAL,
    FIRST_SEARCH_GOAL_MS,
    LATENCY_GOALS,
    TARGETS,
)
from benchmarks.searchbench.workload import QUERY_TYPES

WIDTH = 22
FIRST = 34


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if value >= 100 else f"{value:.1f}"


def _mark(ok: bool) -> str:
    return " ok" if ok else " NON"


def _row(label: str, cells: list[str], goal: str = "") -> str:
    return f"{label:{FIRST}}" + "".join(f"{c:>{WIDTH}}" for c in cells) + f"   {goal}"


def _bound(figures: dict, statistic: str) -> str:
    """A figure, « > budget » when it is a search stopped at the baseline's budget."""
    value = figures[statistic]
    if figures.get("overtimes") and value >= figures["budget_ms"]:
        return f"> {_number(figures['budget_ms'])}"
    return _number(value)


def _indexing(result: dict) -> str:
    if "indexing" not in result:
        return "erreur"
    rate = result["indexing"]["rate"]
    cell = _number(rate)
    if result["target"] == "engine":
        cell += _mark(rate >= ENGINE_INDEXING_GOAL)
    return cell


def _latency(result: dict, label: str) -> str:
    figures = result.get("queries", {}).get(label)
    if not figures or "error" in figures:
        return "erreur"
    cell = f"{_bound(figures, 'p50')} / {_bound(figures, 'p95')}"
    goal = LATENCY_GOALS.get(label)
    if goal and result["target"] in OURS:
        cell += _mark(figures[goal[0]] <= goal[1])
    return cell


def _first(result: dict, key: str, *, judged: bool) -> str:
    figures = result.get("first")
    if not figures or "error" in figures:
        return "erreur" if figures else "—"
    cell = _number(figures[key])
    if figures.get("overtimes") and key != "setup_ms":
        cell = "> " + cell
    if judged and result["target"] in OURS:
        cell += _mark(figures[key] <= FIRST_SEARCH_GOAL_MS)
    return cell


OURS = ("sqlite", "postgresql", "engine")


def render(results: list[dict]) -> str:
    order = list(TARGETS)
    results = sorted(results, key=lambda r: order.index(r["target"]))
    lines = []
    first = results[0]
    lines.append(
        f"Corpus : {_number(first['documents'])} projets ({first.get('origin', '?')}), le "
        "même partout ; chaque type de requête exécuté N fois après une fois non comptée."
    )
    if len({r["documents"] for r in results}) > 1:
        lines.append("  ATTENTION : corpus de tailles différentes, voir chaque cible.")
    for result in results:
        extra = f" — {result['engine']}" if "engine" in result else ""
        runs = f", N = {result['runs']}, {_number(result['documents'])} documents"
        lines.append(f"  {result['label']} : {result.get('where', '?')}{extra}{runs}")
    lines.append(
        "Wagtail = la recherche en base de Wagtail (FTS5 / tsvector, mots en OU) et un "
        "GROUP BY par facette."
    )
    lines.append("")
    lines.append(_row("(p50 / p95 en ms)", [r["label"] for r in results], "objectif"))
    lines.append(
        _row(
            "indexation (documents/s)",
            [_indexing(r) for r in results],
            f"≥ {ENGINE_INDEXING_GOAL:,.0f} sur le moteur".replace(",", " "),
        )
    )
    for label in QUERY_TYPES:
        goal = LATENCY_GOALS.get(label)
        lines.append(
            _row(
                label,
                [_latency(r, label) for r in results],
                f"{goal[0]} ≤ {goal[1]:.0f} ms" if goal else "",
            )
        )
    lines.append(
        _row(
            "première recherche (ms)",
            [_first(r, "first_ms", judged=True) for r in results],
            f"≤ {FIRST_SEARCH_GOAL_MS:.0f} ms (processus neuf)",
        )
    )
    lines.append(
        _row("  démarrage de Django (ms)", [_first(r, "setup_ms", judged=False) for r in results])
    )
    lines.append(
        _row("  processus entier (ms)", [_first(r, "process_ms", judged=False) for r in results])
    )
    lines.append("")
    lines.append(_row("résultats trouvés (médiane)", [r["label"] for r in results]))
    for label in QUERY_TYPES:
        cells = []
        for result in results:
            figures = result.get("queries", {}).get(label) or {}
            found = figures.get("results")
            cells.append(_number(found) if found is not None else "—")
        lines.append(_row(f"  {label}", cells))
    errors = [
        (r["label"], where, text)
        for r in results
        for where, text in [
            ("", r.get("error")),
            ("première recherche", (r.get("first") or {}).get("error")),
            *[(label, (q or {}).get("error")) for label, q in r.get("queries", {}).items()],
        ]
        if text
    ]
    if errors:
        lines.append("")
        lines.append("Erreurs :")
        lines.extend(f"  {label} {where} : {text}" for label, where, text in errors)
    return "\n".join(lines)
