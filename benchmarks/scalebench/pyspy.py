"""A py-spy profile of the web workers under load on the slowest search type or page
group, and the frames that take the time (from its speedscope files)."""

# ruff: noqa: S603 — runs py-spy from the venv
from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

from benchmarks import pages
from benchmarks.loadgen import Result, load
from benchmarks.stack import Stack

from .common import PREFIX, ROOT


def _page_group(path: str) -> str:
    """Project and community pages grouped: each is asked a few times only."""
    for listing, name in (("/projets/", "<projet>"), ("/communautes/", "<communauté>")):
        if path.startswith(listing) and path != listing:
            return f"{listing}{name}/"
    return path


def slowest(
    searches: dict[str, dict], result: Result | None, mixes: dict[str, list[str]], paths
) -> tuple[str, list[str], float]:
    """The slowest search type (cache off), or page group of the pages mix when one
    is slower at p95: (name, its URLs, p95 ms)."""
    name, worst = max(((label, s["p95_ms"]) for label, s in searches.items()), key=lambda x: x[1])
    urls = mixes[name]
    if result is not None:
        groups: dict[str, list[float]] = {}
        for path, times in result.by_path.items():
            groups.setdefault(_page_group(path), []).extend(times)
        for key, times in groups.items():
            p95 = result.percentile(0.95, times)
            if len(times) >= 20 and p95 > worst:
                name, worst = f"page {key}", p95
                urls = [p for p, _ in paths if _page_group(p.split("?")[0]) == key]
    return name, urls, worst


def profile(stack: Stack, urls: list[str], *, clients: int, seconds: float = 15) -> dict:
    """py-spy on every web worker while ``clients`` clients ask ``urls``."""
    spy = ROOT / ".venv" / "bin" / "py-spy"
    if not spy.exists():
        return {"error": "py-spy absent du venv (.venv/bin/pip install py-spy)"}
    workers = pages.stack_pids(stack)["workers"]
    outputs, recorders = {}, []
    for pid in workers:
        out = ROOT / "var" / f"{PREFIX}-pyspy-{pid}.speedscope.json"
        outputs[pid] = out
        recorders.append(
            subprocess.Popen(
                [
                    *(str(spy), "record", "-d", str(int(seconds)), "-p", str(pid)),
                    *("-f", "speedscope", "-o", str(out), "--nonblocking"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    time.sleep(0.5)
    result = load(port=stack.port, clients=clients, seconds=seconds + 1, paths=urls)
    errors = []
    for recorder in recorders:
        _, stderr = recorder.communicate(timeout=120)
        if recorder.returncode:
            errors.append(stderr.strip()[-500:])
    frames = top_frames([p for p in outputs.values() if p.exists()])
    return {
        "load": result.summary(),
        "files": [str(p.relative_to(ROOT)) for p in outputs.values() if p.exists()],
        "errors": errors,
        **frames,
    }


def top_frames(files: list[Path], count: int = 15) -> dict:
    """From speedscope files: the frames where samples end (own time) and the frames
    of the project's code present in samples (inclusive), as shares of the sampled
    time (speedscope weights are seconds)."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for path in files:
        data = json.loads(path.read_text())
        frames = data["shared"]["frames"]
        names = [_frame_name(f) for f in frames]
        ours = [_ours(f.get("file", "")) for f in frames]
        for prof in data["profiles"]:
            for stack, weight in zip(prof["samples"], prof["weights"], strict=True):
                total += weight
                if stack:
                    own[names[stack[-1]]] += weight
                for name in {names[i] for i in stack if ours[i]}:
                    inclusive[name] += weight
    share = (lambda n: round(100 * n / total, 1)) if total else (lambda n: 0)
    return {
        "samples": round(total, 2),
        "self": [(name, share(n)) for name, n in own.most_common(count)],
        "inclusive_project": [(name, share(n)) for name, n in inclusive.most_common(count)],
    }


def _frame_name(frame: dict) -> str:
    file = frame.get("file", "")
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{frame.get('name', '?')} ({file}:{frame.get('line', '')})"


def _ours(file: str) -> bool:
    return file.startswith(str(ROOT)) and "/.venv/" not in file
