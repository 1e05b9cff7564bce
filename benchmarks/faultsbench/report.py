"""What users saw, phase by phase, and the verdict line of each scenario."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .http import Hit


@dataclass(frozen=True)
class Phase:
    name: str
    start: float
    end: float

    def holds(self, at: float) -> bool:
        return self.start <= at < self.end


class Timeline:
    """Named marks (time.time()) from which the phases of a scenario are cut."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def mark(self, name: str) -> None:
        import time

        self.marks.append((name, time.time()))

    def phases(self, end: float) -> list[Phase]:
        bounds = [*self.marks, ("", end)]
        return [Phase(bounds[i][0], bounds[i][1], bounds[i + 1][1]) for i in range(len(self.marks))]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def hits_summary(hits: Iterable[Hit]) -> dict:
    hits = list(hits)
    seconds = [h.seconds for h in hits]
    outcomes = Counter(h.outcome for h in hits)
    return {
        "requests": len(hits),
        "outcomes": dict(sorted(outcomes.items())),
        "p50_ms": round(percentile(seconds, 0.50), 1),
        "p95_ms": round(percentile(seconds, 0.95), 1),
        "max_ms": round(1000 * max(seconds, default=0.0), 1),
        "failed": sum(h.failed for h in hits),
        "failed_french": sum(h.failed and h.french for h in hits),
        "failed_slowest_ms": round(1000 * max((h.seconds for h in hits if h.failed), default=0), 1),
        "cache_hits": sum(h.cached for h in hits),
    }


def by_phase(hits: list[Hit], phases: list[Phase], kinds: Iterable[str] | None = None) -> dict:
    """{phase: {kind: summary}} for each phase and each kind of visitor (and « tous »).
    A request belongs to the phase in which its answer (or failure) came: one in
    flight when the fault struck counts with the fault."""
    kinds = sorted({h.kind for h in hits}) if kinds is None else list(kinds)
    table: dict[str, dict] = {}
    for phase in phases:
        inside = [h for h in hits if phase.holds(h.at + h.seconds)]
        row = {kind: hits_summary(h for h in inside if h.kind == kind) for kind in kinds}
        if len(kinds) > 1:
            row["tous"] = hits_summary(inside)
        table[phase.name] = row
    return table


def compact(table: dict) -> dict:
    """For the JSON summary: per phase, all visitors together (statuses, latencies,
    failures and how many of them spoke French)."""
    keys = ("requests", "outcomes", "p50_ms", "p95_ms", "max_ms", "failed", "failed_french")
    out = {}
    for phase, row in table.items():
        total = row.get("tous") or next(iter(row.values()), {})
        out[phase] = {k: total[k] for k in keys if k in total}
    return out


def _outcomes(outcomes: dict[str, int]) -> str:
    return " ".join(f"{name}×{count}" for name, count in outcomes.items()) or "—"


def print_users(table: dict, title: str = "Ce que les utilisateurs ont vu (HTTP)") -> None:
    print(f"{title} :")
    print(
        f"  {'phase':<28} {'visiteurs':<18} {'req.':>5}  {'p50':>7}  {'p95':>7}  {'max':>7}  "
        f"{'cache':>5}  {'échecs (fr.)':>12}  statuts"
    )
    for phase, row in table.items():
        for kind, s in row.items():
            if not s["requests"]:
                continue
            print(
                f"  {phase:<28} {kind:<18} {s['requests']:>5}  {s['p50_ms']:>5.0f}ms  "
                f"{s['p95_ms']:>5.0f}ms  {s['max_ms']:>5.0f}ms  {s['cache_hits']:>5}  "
                f"{s['failed']:>5} ({s['failed_french']:>3})  {_outcomes(s['outcomes'])}"
            )


@dataclass
class Verdict:
    """Collects the failed checks of a scenario; prints « OK » or « ÉCHEC : … »."""

    scenario: str
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, ok: bool, failure: str) -> bool:
        if not ok:
            self.failures.append(failure)
        return ok

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        if self.ok:
            return f"Verdict {self.scenario} : OK"
        return f"Verdict {self.scenario} : ÉCHEC : " + " ; ".join(self.failures)

    def print(self) -> None:
        for note in self.notes:
            print(f"  remarque : {note}")
        print(self.line(), flush=True)
