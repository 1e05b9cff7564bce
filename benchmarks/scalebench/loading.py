"""The load: files of partner rows imported through ``import_file`` (the service
behind the admin's imports) in a child process with the stack's environment
(``benchmarks/scale.py --child-load``), and the figures of each file."""

# ruff: noqa: S603 — runs our own interpreter
from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.stack import PYTHON, Stack

from .common import PREFIX, ROOT, SCRIPT, SOURCE_PREFIX
from .data import MAPPING, PARTNERS, seed_records, write_partner_file
from .engine import engine_lock


def child_load(args: argparse.Namespace) -> None:
    """In a process of its own, with the stack's environment: import files of
    ``--batch`` rows through ``import_file`` until ``--projects`` partner records
    are there. One JSON line per file on stdout."""
    import django

    django.setup()
    logging.disable(logging.INFO)
    from innovations.models import ImportRun, ProjectSourceRecord, Source, Trust
    from innovations.services.imports import import_file

    sources = []
    for slug, name in PARTNERS:
        source, _ = Source.objects.get_or_create(
            slug=f"{SOURCE_PREFIX}{slug}",
            defaults={"name": name, "trust": Trust.DIRECT, "mapping": MAPPING},
        )
        sources.append(source)
    records = ProjectSourceRecord.objects.filter(source__slug__startswith=SOURCE_PREFIX)
    # Rows are numbered across runs (S1, S2…): a resumed load carries on after the
    # last file written, even when a row was rejected.
    runs = ImportRun.objects.filter(source__in=sources, dry_run=False)
    start = sum(run.records_read for run in runs if run.status == "done")
    seeds = seed_records()
    directory = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-files-"))
    deadline = time.monotonic() + args.load_budget * 60
    try:
        done = records.count()
        while done < args.projects:
            count = min(args.batch, args.projects - done)
            source = sources[(start // args.batch) % len(sources)]
            path = directory / f"{source.slug}-{start + 1}.csv"
            write_partner_file(path, start=start, count=count, seeds=seeds, seed=args.seed)
            with engine_lock(f"import de {count} enregistrements"):
                before = done
                clock = time.perf_counter()
                run = import_file(source=source, path=path)
                elapsed = time.perf_counter() - clock
            path.unlink()
            done = records.count()
            start += count
            line = {
                "source": source.slug,
                "records": count,
                "seconds": round(elapsed, 2),
                "rate": round(count / elapsed, 1),
                "created": run.created,
                "rejected": run.rejected,
                "warnings": run.warnings,
                "status": run.status,
                "timings": run.file_info.get("timings", {}),
                "projects_before": before,
                "projects_after": done,
            }
            print(json.dumps(line), flush=True)
            if run.status != "done":
                sys.exit(f"import {run.pk} : {run.status} — {run.message}")
            left = (args.projects - done) / max(line["rate"], 1e-9)
            if done < args.projects and time.monotonic() + left > deadline:
                print(
                    json.dumps({"stopped": True, "projects": done, "projected_seconds": left}),
                    flush=True,
                )
                return
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def load_projects(
    stack: Stack, *, projects: int, batch: int = 20_000, seed: int = 7, budget: float = 40.0
) -> dict:
    """Bring the stack's database to ``projects`` partner records (what is there is
    kept), through the import service; returns the figures of the files imported."""
    command = [
        PYTHON,
        str(SCRIPT),
        "--child-load",
        f"--projects={projects}",
        f"--batch={batch}",
        f"--seed={seed}",
        f"--load-budget={budget}",
    ]
    env = {**stack.env, "GEOCODER": "centroid"}  # offline: the benchmark measures our code
    batches, stopped = [], None
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as child:
        for raw in child.stdout:
            if not raw.startswith("{"):
                print(raw, end="", flush=True)
                continue
            data = json.loads(raw)
            if data.get("stopped"):
                stopped = data
                continue
            batches.append(data)
            print(batch_line(data), flush=True)
    if child.returncode:
        raise RuntimeError(f"le chargement s'est arrêté (code {child.returncode})")
    return load_summary(batches, stopped, wall=time.perf_counter() - started)


def batch_line(data: dict) -> str:
    timings = data["timings"]
    return (
        f"  import {data['source']:<20} {data['records']:>6} enr. en {data['seconds']:7.1f} s "
        f"{data['rate']:7.0f} enr./s  (lecture {timings.get('read', 0):.1f} / préparation "
        f"{timings.get('prepare', 0):.1f} / écriture {timings.get('write', 0):.1f} / "
        f"indexation {timings.get('index', 0):.1f} s)  projets {data['projects_after']}"
        + (f", {data['rejected']} rejetés" if data["rejected"] else "")
    )


def load_summary(batches: list[dict], stopped: dict | None, *, wall: float) -> dict:
    records = sum(b["records"] for b in batches)
    seconds = sum(b["seconds"] for b in batches)
    return {
        "files": len(batches),
        "records": records,
        "seconds": round(seconds, 1),
        "wall_seconds": round(wall, 1),
        "rate": round(records / seconds, 1) if seconds else None,
        "first_file_rate": batches[0]["rate"] if batches else None,
        "last_file_rate": batches[-1]["rate"] if batches else None,
        "index_seconds": round(sum(b["timings"].get("index", 0) for b in batches), 1),
        "rejected": sum(b["rejected"] for b in batches),
        "stopped_for_budget": stopped,
        "batches": batches,
    }
