"""What every phase shares: the repository, the real partner data, the bench prefix,
the state kept between runs and the shared OpenSearch cluster's address and lock."""

from __future__ import annotations

from pathlib import Path

from benchmarks import pages

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
SCRIPT = ROOT / "benchmarks" / "scale.py"  # the entry point, run again for --child-load

PREFIX = "bench-scale"
ENGINE = pages.ENGINE
ENGINE_NODE = ENGINE.split(",")[0]
LOCK = Path("/tmp/opensearch.lock")  # noqa: S108 — the agreed lock, not a temp file
STATE = ROOT / "var" / f"{PREFIX}-state.json"
SOURCE_PREFIX = "scale-"
