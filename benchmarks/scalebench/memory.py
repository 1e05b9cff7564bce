"""The resident memory of the services: the shared cluster's OpenSearch nodes, every
process of our PostgreSQL (RSS and PSS), our Redis."""

# ruff: noqa: S603, S607 — runs the system's pgrep and redis-cli
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from benchmarks.stack import OwnPostgres, OwnRedis, rss_mb


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += tree.get(current, [])
    return found


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def service_memory(postgres: OwnPostgres, redis: OwnRedis) -> dict[str, float]:
    """OpenSearch nodes (the shared cluster), our PostgreSQL (every process of it:
    RSS counts its shared buffers in each, PSS shares them out) and our Redis."""
    figures: dict[str, float] = {}
    for line in subprocess.run(
        ["pgrep", "-af", "carrefour.opensearch.node="], capture_output=True, text=True
    ).stdout.splitlines():
        pid, _, command = line.partition(" ")
        node = re.search(r"carrefour\.opensearch\.node=\S*/(node-\d+)", command)
        if node:
            figures[f"OpenSearch {node.group(1)} (JVM {pid})"] = round(rss_mb(int(pid)), 1)
    master = int((postgres.data / "postmaster.pid").read_text().split()[0])
    processes = descendants(master)
    figures[f"PostgreSQL, {len(processes)} processus (somme RSS)"] = round(
        sum(rss_mb(p) for p in processes), 1
    )
    figures[f"PostgreSQL, {len(processes)} processus (somme PSS)"] = round(
        sum(pss_mb(p) for p in processes), 1
    )
    info = subprocess.run(
        ["redis-cli", "-p", str(redis.port), "info", "server"], capture_output=True, text=True
    ).stdout
    redis_pid = re.search(r"process_id:(\d+)", info)
    if redis_pid:
        figures[f"Redis {redis_pid.group(1)}"] = round(rss_mb(int(redis_pid.group(1))), 1)
    return figures
