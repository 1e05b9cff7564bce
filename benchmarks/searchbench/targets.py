"""Who is benchmarked, and the figures each must reach (issue 11, section 5)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str  # command-line name
    label: str  # column heading
    database: str  # "sqlite" or "postgresql": the Django database of the run
    kind: str  # "ours" (search.backends.get_backend()) or "wagtail" (the baseline)
    engine: bool = False  # ours, on Elasticsearch/OpenSearch


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("sqlite", "SQLite", "sqlite", "ours"),
        Target("postgresql", "PostgreSQL", "postgresql", "ours"),
        Target("engine", "OpenSearch", "sqlite", "ours", engine=True),
        Target("wagtail-sqlite", "Wagtail/SQLite", "sqlite", "wagtail"),
        Target("wagtail-postgresql", "Wagtail/PG", "postgresql", "wagtail"),
    )
}

# query type → (statistic, limit in ms), on every backend
LATENCY_GOALS = {"texte + 3 facettes": ("p95", 50.0), "suggestions": ("p95", 20.0)}
FIRST_SEARCH_GOAL_MS = 300.0  # a fresh process: its first search
ENGINE_INDEXING_GOAL = 5000.0  # documents/s, bulk, on the engine
