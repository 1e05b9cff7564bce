"""Load and scale (issue 15): 300 000 synthetic projects, shaped like the real partner
exports, loaded into PostgreSQL and OpenSearch through the import service editors
use, then what that costs and how the site answers at that size.

    make search-engine
    .venv/bin/python benchmarks/scale.py [--projects 300000] [--seconds 20]
        [--clients 20,100] [--reuse] [--skip-pages]

Prints, one line per figure, then a JSON summary:
1. the import: records/s end to end through ``import_file`` (the service behind the
   admin's imports and ``manage.py import_source``), in files of ``--batch`` records
   spread over seven partner sources; if the measured rate would not load everything
   within ``--load-budget`` minutes, it says so and stops at what it loaded (no other
   path is taken behind the reader's back); then ``manage.py search_reindex`` (new
   index, alias swapped), timed;
2. the index size on disk (``_cat/indices`` of the bench prefix), the PostgreSQL
   database size and its biggest tables;
3. the resident memory of each process: gunicorn master and workers, background
   worker, each OpenSearch node, PostgreSQL (sum of RSS and of PSS), Redis;
4. search latency p50/p95/p99 for a query mix (text drawn from the real projects'
   vocabulary, facets, text + facets, map, page 2, deep page, proximity, GeoJSON
   export) through ``/api/v1/search`` and ``/recherche/``, page cache off
   (CARREFOUR_PAGE_CACHE_SECONDS=0: the engine is measured) and on;
5. benchmarks/pages.py's figures at that size (its mix, run_series, processes): 20
   and 100 clients, cold and warm cache, and « sans cache de pages »;
6. a py-spy profile of the web workers under load on the slowest page or search
   (when py-spy is in the venv): the frames that take the time.

The partner rows are built at run time from ../shared/data (the 700 initiatives of
the map that preceded Transiscope, with their real SKOS concepts read through
docs/mappings/alternatives-pwa.yaml, and two digital-inclusion exports), resampled
with varied names, places, stages, publics and years; nothing is copied into the
repository. Own services (benchmarks/stack.py): PostgreSQL on 5450, Redis on 6395,
the site on 8810, index and cache prefix « bench-scale ». ``--reuse`` keeps the
database and the index between runs and loads only what is missing (loading
300 000 projects takes a while); figures of phases it skips come from
var/bench-scale-state.json and are labelled so. Every phase that uses the shared
OpenSearch cluster holds /tmp/opensearch.lock (another agent stops nodes for fault
tests only while holding it).
"""

# ruff: noqa: S603, S607 — runs our own interpreter, py-spy and the system's tools
from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import pages  # noqa: E402
from benchmarks.imports import MAPPING as PARTNER_MAPPING  # noqa: E402
from benchmarks.loadgen import Result, load  # noqa: E402
from benchmarks.stack import PYTHON, OwnPostgres, OwnRedis, Stack, print_json, rss_mb  # noqa: E402

PREFIX = "bench-scale"
ENGINE = pages.ENGINE
ENGINE_NODE = ENGINE.split(",")[0]
LOCK = Path("/tmp/opensearch.lock")  # noqa: S108 — the agreed lock, not a temp file
STATE = ROOT / "var" / f"{PREFIX}-state.json"
SOURCE_PREFIX = "scale-"
# The networks of the real data: the five that listed the initiatives of the map
# (its « sourceDisplay ») and two digital-inclusion partners (partners-mednum).
PARTNERS = (
    ("alternatiba", "Alternatiba"),
    ("crid", "CRID"),
    ("utopia", "Utopia"),
    ("campanule", "Campanule"),
    ("presdecheznous", "Près de chez nous"),
    ("la-creuse", "Numérique en Creuse"),
    ("hub-lo", "Hub Lo"),
)
QUALIFIERS = ["", "du quartier", "solidaire", "citoyen", "rural", "des habitants", "coop"]
STAGES = ["idee", "experimentation", "consolidation", "essaimage", "changement-echelle"]
SCALES = ["quartier", "commune", "intercommunalite", "departement", "region"]
STATUSES = ["Association", "Coopérative", "Collectif"]
COLUMNS = [
    "id",
    "nom",
    "resume",
    "description",
    "site",
    "themes",
    "tags",
    "statut",
    "structure",
    "stade",
    "echelle",
    "annee",
    "publics",
    "methodes",
    "cp",
    "commune",
    "lat",
    "lon",
    "adresse",
]
# benchmarks/imports.py's partner mapping, with the columns a fuller export carries.
MAPPING = {
    **PARTNER_MAPPING,
    "fields": {
        **PARTNER_MAPPING["fields"],
        "structure_name": "structure",
        "stage": "stade",
        "scale": "echelle",
        "year_started": {"from": "annee", "transforms": ["year"]},
        "publics": {"from": "publics", "transforms": [{"split": "|"}, "trim"]},
        "methods": {"from": "methodes", "transforms": [{"split": "|"}, "trim"]},
    },
}
# Words of five letters or more too common to be a search.
STOPWORDS = frozenset(
    (
        "avec",
        "pour",
        "dans",
        "leurs",
        "notre",
        "votre",
        "entre",
        "ainsi",
        "aussi",
        "cette",
        "comme",
        "faire",
        "depuis",
        "toutes",
        "autres",
        "autour",
        "avons",
        "elles",
        "etait",
        "etre",
        "sont",
        "tous",
        "plusieurs",
        "permet",
        "propose",
        "proposer",
        "http",
        "https",
        "facebook",
        "www",
        "selon",
        "chaque",
        "encore",
        "place",
        "peuvent",
        "lieux",
        "apres",
        "avant",
    )
)


# Partner names (added as tags) and contact-detail words of the digital-inclusion
# exports: not what visitors search.
NOT_WORDS = frozenset({slug.replace("-", " ") for slug, _ in PARTNERS}) | {
    "adresse",
    "numero",
    "telephone",
}


# --- the shared cluster -----------------------------------------------------------------


@contextlib.contextmanager
def engine_lock(label: str) -> Iterator[None]:
    """Exclusive use of the shared OpenSearch cluster for a phase. Not reentrant (a
    second flock in the same process would wait for the first): phases don't nest."""
    with LOCK.open("a") as handle:
        started = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        waited = time.perf_counter() - started
        if waited > 1:
            print(f"  (verrou OpenSearch attendu {waited:.0f} s : {label})", flush=True)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def engine_get(path: str) -> object:
    with urllib.request.urlopen(f"{ENGINE_NODE}{path}", timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def engine_indices() -> list[dict]:
    """The bench prefix's indices (name, documents, sizes in bytes)."""
    return engine_get(f"/_cat/indices/{PREFIX}-*?format=json&bytes=b") or []


def engine_drop_indices() -> None:
    for index in engine_indices():
        url = f"{ENGINE_NODE}/{index['index']}"
        request = urllib.request.Request(url, method="DELETE")  # noqa: S310
        urllib.request.urlopen(request, timeout=60).close()  # noqa: S310


# --- partner rows built from the real data -----------------------------------------------


def _skos_themes() -> dict[str, list[str]]:
    """The real mapping's SKOS concept → sub-theme codes (docs/mappings)."""
    import yaml

    mapping = yaml.safe_load((ROOT / "docs/mappings/alternatives-pwa.yaml").read_text("utf-8"))
    for transform in mapping["fields"]["themes"]["transforms"]:
        if isinstance(transform, dict) and "map" in transform:
            return {
                key: value if isinstance(value, list) else [value]
                for key, value in transform["map"].items()
            }
    return {}


def seed_records() -> list[dict]:
    """The real records as partner rows (name, text, site, tags, themes, place)."""
    if not (SHARED / "alternatives-pwa" / "elements.json").exists():
        sys.exit(f"{SHARED} absent : les données partenaires réelles sont nécessaires.")
    from innovations.geo import in_france

    skos = _skos_themes()
    records = []
    for item in json.loads((SHARED / "alternatives-pwa/elements.json").read_text("utf-8")):
        try:
            lat, lon = float(item.get("lat")), float(item.get("long"))
        except (TypeError, ValueError):
            continue
        if not in_france(lat, lon):
            continue  # rejected by the real mapping too (coordinates abroad)
        text = (item.get("abstract") or "").strip()
        concepts = [c.get("@id", "") for c in item.get("taxonomy") or [] if isinstance(c, dict)]
        records.append(
            {
                "nom": item.get("Name") or "",
                "resume": text[:300],
                "description": text,
                "site": (item.get("site") or "").replace("\\c", ":"),
                "tags": ", ".join(
                    filter(None, [item.get("tags") or "", item.get("sourceDisplay") or ""])
                ),
                "themes": sorted({code for c in concepts for code in skos.get(c, [])}),
                "lat": lat,
                "lon": lon,
                "cp": "",
                "commune": "",
                "adresse": "",
            }
        )
    for item in json.loads((SHARED / "partners-mednum/la-creuse/la-creuse.json").read_text()):
        records.append(_mednum(item.get("nom"), item.get("description"), "", item))
    for item in json.loads((SHARED / "partners-mednum/hub-lo/hub-lo.json").read_text()):
        records.append(
            _mednum(
                item.get("c_nom"),
                "",
                item.get("c_site_web"),
                {
                    "services": item.get("c_etiquettes"),
                    "code_postal": item.get("c_postcode"),
                    "commune": item.get("c_city"),
                    "adresse": item.get("c_adresse"),
                },
            )
        )
    return [r for r in records if r["nom"] and (r["lat"] != "" or r["cp"] or r["commune"])]


def _mednum(name, text, site, item: dict) -> dict:
    text = (text or "").strip()
    return {
        "nom": name or "",
        "resume": text[:300],
        "description": text,
        "site": site or "",
        "tags": item.get("services") or "",
        "themes": ["numerique.inclusion-numerique"],
        "lat": "",
        "lon": "",
        "cp": str(item.get("code_postal") or ""),
        "commune": item.get("commune") or "",
        "adresse": item.get("adresse") or "",
    }


def taxonomy_codes() -> dict[str, list[str]]:
    taxonomy = json.loads((ROOT / "innovations/data/taxonomy.json").read_text(encoding="utf-8"))
    return {
        "domains": [d["code"] for d in taxonomy["domains"]],
        "themes": [s["code"] for d in taxonomy["domains"] for s in d["subthemes"]],
        "publics": [p["code"] for p in taxonomy["publics"]],
        "methods": [m["code"] for m in taxonomy["methods"]],
    }


def partner_row(index: int, seeds: list[dict], codes: dict, seed: int) -> dict:
    """Row ``index`` (0-based, the same on every run): a real record, varied. Copies
    of a record are other projects: their name carries the lap, their website a
    path of their own (two projects sharing a site would be « doublons probables »)
    and their point moves a little around the original's."""
    rng = random.Random(seed * 1_000_003 + index)
    record = seeds[index % len(seeds)]
    lap = index // len(seeds)
    row = {key: record[key] for key in ("resume", "description", "tags", "cp", "commune")}
    row["id"] = f"S{index + 1}"
    row["nom"] = f"{record['nom']} {rng.choice(QUALIFIERS)} {lap or ''}".strip()
    row["structure"] = record["nom"]
    row["adresse"] = record["adresse"]
    row["site"] = record["site"]
    if lap and row["site"]:
        row["site"] = f"{row['site'].rstrip('/')}/antenne-{lap}"
    themes = record["themes"] or rng.sample(codes["themes"], rng.randint(1, 3))
    if lap and rng.random() < 0.3:
        themes = sorted({*themes, rng.choice(codes["themes"])})
    row["themes"] = "|".join(themes)
    row["statut"] = rng.choice(STATUSES)
    row["stade"] = rng.choice(STAGES)
    row["echelle"] = rng.choice(SCALES)
    row["annee"] = str(rng.randint(1985, 2026)) if rng.random() < 0.7 else ""
    row["publics"] = "|".join(rng.sample(codes["publics"], rng.randint(0, 2)))
    row["methodes"] = "|".join(rng.sample(codes["methods"], rng.randint(0, 2)))
    row["lat"], row["lon"] = record["lat"], record["lon"]
    if lap and record["lat"] != "":
        row["lat"] = round(record["lat"] + rng.uniform(-0.05, 0.05), 5)
        row["lon"] = round(record["lon"] + rng.uniform(-0.05, 0.05), 5)
    return row


def write_partner_file(path: Path, *, start: int, count: int, seeds, seed: int) -> None:
    codes = taxonomy_codes()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        for index in range(start, start + count):
            writer.writerow(partner_row(index, seeds, codes, seed))


def vocabulary(seeds: list[dict], *, words: int = 24, phrases: int = 8) -> list[str]:
    """What visitors would type: the most frequent words of the real projects' names,
    tags and summaries (in their usual spelling), and their most frequent
    several-word tags."""
    from core.text import fold

    counts: Counter = Counter()
    spellings: dict[str, Counter] = {}
    tags: Counter = Counter()
    for record in seeds:
        text = f"{record['nom']} {record['tags']} {record['resume']}".lower()
        for word in re.findall(r"[^\W\d_][\w'-]{4,}", text):
            word = word.strip("-'").split("'")[-1]
            key = fold(word)
            if len(key) < 5 or key in STOPWORDS or key in NOT_WORDS:
                continue
            counts[key] += 1
            spellings.setdefault(key, Counter())[word] += 1
        for tag in record["tags"].split(","):
            tag = tag.strip().lower()
            if " " in tag and len(tag) <= 30:
                tags[tag] += 1
    chosen = [spellings[key].most_common(1)[0][0] for key, _ in counts.most_common(words)]
    return chosen + [tag for tag, _ in tags.most_common(phrases)]


# --- loading ------------------------------------------------------------------------------


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
        str(Path(__file__).resolve()),
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


def build_index(stack: Stack) -> dict:
    """``manage.py search_reindex``: a new index filled from the database, then the
    alias swapped (the app's own command), timed from outside and by itself."""
    with engine_lock("search_reindex"):
        started = time.perf_counter()
        output = stack.manage("search_reindex", "-v", "1", timeout=3600)
        elapsed = time.perf_counter() - started
    found = re.search(r"(\d+) documents indexés en ([\d.]+) s", output)
    documents = int(found.group(1)) if found else None
    own = float(found.group(2)) if found else None
    return {
        "documents": documents,
        "seconds": round(elapsed, 1),
        "command_seconds": own,
        "rate": round(documents / own, 1) if documents and own else None,
    }


# --- sizes and memory ------------------------------------------------------------------------


def index_sizes() -> dict:
    # A rebuilt index shows its last documents once refreshed (docs.count counts
    # refreshed segments only).
    with contextlib.suppress(OSError):
        url = f"{ENGINE_NODE}/{PREFIX}-*/_refresh"
        request = urllib.request.Request(url, method="POST")  # noqa: S310
        urllib.request.urlopen(request, timeout=60).close()  # noqa: S310
    indices = engine_indices()
    aliases = engine_get(f"/_cat/aliases/{PREFIX}-*?format=json") or []
    return {
        "indices": [
            {
                "index": i["index"],
                "documents": int(i["docs.count"]),
                "deleted": int(i["docs.deleted"]),
                "store_mb": round(int(i["store.size"]) / 2**20, 1),
                "primary_mb": round(int(i["pri.store.size"]) / 2**20, 1),
                "shards": f"{i['pri']}×{int(i['rep']) + 1}",
            }
            for i in indices
        ],
        "aliases": {a["alias"]: a["index"] for a in aliases},
    }


def database_sizes(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as connection:
        total = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        rows = connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT 12"
        ).fetchall()
    return {
        "database_mb": round(total / 2**20, 1),
        "tables": [
            {
                "table": name,
                "total_mb": round(full / 2**20, 1),
                "heap_mb": round(heap / 2**20, 1),
                "rows": rows_,
            }
            for name, full, heap, rows_ in rows
        ],
    }


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


# --- searches -----------------------------------------------------------------------------


def search_mixes(words: list[str], seed: int) -> dict[str, list[str]]:
    """Query types, each a list of URLs (the same on every run)."""
    rng = random.Random(seed)
    codes = taxonomy_codes()
    with (ROOT / "innovations/data/territories/departements.csv").open(encoding="utf-8") as fh:
        departements = list(csv.DictReader(fh))
    regions = sorted({d["region_code"] for d in departements})

    def facets() -> list[tuple[str, str]]:
        chosen = [("domaine", rng.choice(codes["domains"])), ("region", rng.choice(regions))]
        if rng.random() < 0.5:
            chosen.append(("public", rng.choice(codes["publics"])))
        if rng.random() < 0.3:
            chosen.append(("stade", rng.choice(STAGES)))
        return chosen

    def urls(path: str, build) -> list[str]:
        return [f"{path}?{urlencode(build(text))}" for text in words]

    places = [f"commune:{d['chef_lieu']}" for d in departements if d["chef_lieu"]]
    return {
        "API texte": urls("/api/v1/search", lambda t: [("q", t)]),
        "API facettes": urls("/api/v1/search", lambda t: facets()),
        "API texte + facettes": urls("/api/v1/search", lambda t: [("q", t), *facets()]),
        "API texte, page 2": urls("/api/v1/search", lambda t: [("q", t), ("page", 2)]),
        "API page 150 × 100 (au-delà de 10 000)": urls(
            "/api/v1/search",
            lambda t: [("domaine", rng.choice(codes["domains"])), ("page", 150), ("par_page", 100)],
        ),
        "page texte": urls("/recherche/", lambda t: [("q", t)]),
        "page facettes": urls("/recherche/", lambda t: facets()),
        "page texte + facettes": urls("/recherche/", lambda t: [("q", t), *facets()]),
        "page texte, page 2": urls("/recherche/", lambda t: [("q", t), ("page", 2)]),
        "page carte (vue=carte)": urls("/recherche/", lambda t: [("q", t), ("vue", "carte")]),
        "page autour d'une commune (30 km)": urls(
            "/recherche/", lambda t: [("autour", rng.choice(places)), ("rayon", 30)]
        ),
        "export GeoJSON (texte)": urls("/recherche/export.geojson", lambda t: [("q", t)]),
    }


def measure_searches(
    stack: Stack, mixes: dict[str, list[str]], *, clients: int, seconds: float, label: str
) -> dict[str, dict]:
    figures = {}
    for name, urls in mixes.items():
        result = load(port=stack.port, clients=clients, seconds=seconds, paths=urls)
        summary = result.summary()
        hits = summary["cache"].get("hit", 0)
        print(result.line(f"{name} ({label})") + _cache_note(summary, hits), flush=True)
        figures[name] = summary
    return figures


def _cache_note(summary: dict, hits: int) -> str:
    if not summary["requests"] or set(summary["cache"]) <= {"none"}:
        return ""
    return f"  cache {hits / summary['requests']:.0%}"


# --- profile ------------------------------------------------------------------------------


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


# --- the run ----------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="durée de chaque série")
    parser.add_argument("--clients", default="20,100")
    parser.add_argument("--reuse", action="store_true", help="garder la base et l'index")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--batch", type=int, default=20_000, help="enregistrements par fichier")
    parser.add_argument("--load-budget", type=float, default=40.0, help="minutes de chargement")
    parser.add_argument("--search-seconds", type=float, default=8.0)
    parser.add_argument("--search-clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument("--pg-port", type=int, default=5450)
    parser.add_argument("--redis-port", type=int, default=6395)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child-load", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def make_stack(args, postgres: OwnPostgres, redis: OwnRedis, *, page_cache: bool) -> Stack:
    return Stack(
        port=args.port,
        database_url=postgres.url,
        redis_url=redis.url,
        engine_url=ENGINE,
        workers=args.workers,
        prefix=PREFIX,
        extra={} if page_cache else {"CARREFOUR_PAGE_CACHE_SECONDS": "0"},
    )


def read_state() -> dict:
    try:
        return json.loads(STATE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(state: dict) -> None:
    STATE.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")


def count_projects(stack: Stack) -> tuple[int, int]:
    """(partner records of the bench sources, live projects)."""
    out = stack.python(
        "from innovations.models import ProjectPage, ProjectSourceRecord\n"
        f"print(ProjectSourceRecord.objects.filter(source__slug__startswith='{SOURCE_PREFIX}')"
        ".count(), ProjectPage.objects.live().count())"
    )
    records, live = out.split()[-2:]
    return int(records), int(live)


class Clock:
    """Wall time of each phase, for the report."""

    def __init__(self):
        self.phases: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        print(f"\n== {name}", flush=True)
        try:
            yield
        finally:
            self.phases[name] = round(time.perf_counter() - started, 1)
            # The machine is shared: its load says whether others used the cores too.
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"   ({name} : {self.phases[name]:.0f} s ; charge {load})", flush=True)


def prepare(args, postgres, redis, clock: Clock, state: dict) -> tuple[Stack, dict]:
    """The database and the index at ``--projects``: installed, loaded, indexed."""
    stack = make_stack(args, postgres, redis, page_cache=True)
    report: dict = {}
    if not args.reuse or not state.get("installed"):
        with clock.phase("installation (migrate, setup_carrefour avec la démo)"):
            postgres.create_database()
            with engine_lock("installation"):
                engine_drop_indices()
                stack.install(demo=True)
        state = {"installed": datetime.now().isoformat(timespec="seconds")}
        write_state(state)
    records, live = count_projects(stack)
    print(f"Déjà en base : {records} enregistrements partenaires, {live} projets en ligne")
    if records < args.projects:
        with clock.phase(f"import jusqu'à {args.projects} projets (import_file, par fichiers)"):
            report["load"] = load_projects(
                stack,
                projects=args.projects,
                batch=args.batch,
                seed=args.seed,
                budget=args.load_budget,
            )
        state.setdefault("loads", []).append(report["load"])
        state.pop("index", None)
        write_state(state)
    else:
        print("Import : rien à charger (--reuse) ; chiffres des chargements précédents")
    report["loads"] = state.get("loads", [])
    records, live = count_projects(stack)
    report["projects"] = {"partner_records": records, "live": live}
    sizes = index_sizes()
    live_index = sizes["aliases"].get(f"{PREFIX}-documents")
    in_step = state.get("index", {}).get("projects") == records and any(
        i["documents"] == state["index"].get("documents")
        for i in sizes["indices"]
        if i["index"] == live_index
    )
    if not in_step:
        with clock.phase("index : manage.py search_reindex"):
            report["index"] = build_index(stack)
        state["index"] = {**report["index"], "projects": records}
        write_state(state)
    else:
        report["index"] = {**state["index"], "reused": True}
    return stack, report


def print_load(report: dict) -> None:
    loads = report["loads"]
    print(
        f"\nProjets : {report['projects']['partner_records']} enregistrements partenaires, "
        f"{report['projects']['live']} projets en ligne"
    )
    for number, figures in enumerate(loads, 1):
        fresh = "" if figures is report.get("load") else " (chargement précédent)"
        print(
            f"Import {number}{fresh} : {figures['records']} enregistrements en "
            f"{figures['files']} fichiers, {figures['seconds']:.0f} s dans import_file "
            f"({figures['wall_seconds']:.0f} s de bout en bout) → {figures['rate']} enr./s "
            f"(premier fichier {figures['first_file_rate']}, "
            f"dernier {figures['last_file_rate']}) ; "
            f"dont indexation finale des imports {figures['index_seconds']:.0f} s ; "
            f"{figures['rejected']} lignes rejetées ; tout par le service d'import réel"
        )
        if figures.get("stopped_for_budget"):
            stop = figures["stopped_for_budget"]
            print(
                f"  ARRÊTÉ au budget de chargement : {stop['projects']} projets, "
                f"il aurait fallu encore {stop['projected_seconds'] / 60:.0f} min"
            )
    index = report["index"]
    reused = " (index réutilisé : mesure précédente)" if index.get("reused") else ""
    print(
        f"search_reindex{reused} : {index['documents']} documents en {index['command_seconds']} s "
        f"({index['rate']} documents/s ; {index['seconds']} s avec le démarrage de manage.py)"
    )


def print_sizes(sizes: dict, database: dict) -> None:
    for index in sizes["indices"]:
        alias = [a for a, i in sizes["aliases"].items() if i == index["index"]]
        print(
            f"Index {index['index']} ({', '.join(alias) or 'sans alias'}) : {index['documents']} "
            f"documents ({index['deleted']} supprimés), {index['store_mb']} Mo sur disque "
            f"avec les répliques, {index['primary_mb']} Mo primaires, shards {index['shards']}"
        )
    print(f"Base PostgreSQL : {database['database_mb']} Mo ; plus grosses tables :")
    for table in database["tables"]:
        print(
            f"  {table['table']:<42} {table['total_mb']:>8.1f} Mo "
            f"(données {table['heap_mb']:.1f} Mo, ~{table['rows']} lignes)"
        )


def print_memory(label: str, figures: dict[str, float]) -> None:
    print(f"Mémoire résidente ({label}) :")
    for name, mb in figures.items():
        print(f"  {name:<48} {mb:>8.1f} Mo")


def measure_stack(args, postgres, redis, clock: Clock, report: dict) -> None:
    clients = [int(c) for c in args.clients.split(",")]
    seeds = seed_records()
    mixes = search_mixes(vocabulary(seeds), args.seed)
    report["vocabulary"] = vocabulary(seeds)
    with engine_lock("mesures (pages, recherches, profil)"):
        cached = make_stack(args, postgres, redis, page_cache=True)
        with clock.phase("site avec cache de pages : pages et recherches"):
            cached.start()
            try:
                paths = pages.mix(cached)
                report["mix_paths"] = len(paths)
                if not args.skip_pages:
                    report["pages"] = pages.run_series(
                        cached, paths, clients, args.seconds, f"make serve, {args.projects}"
                    )
                report["search_cache"] = measure_searches(
                    cached,
                    mixes,
                    clients=args.search_clients,
                    seconds=args.search_seconds,
                    label="avec cache",
                )
                report["memory_cache"] = {
                    **pages.processes(cached),
                    **service_memory(postgres, redis),
                }
                print_memory("site avec cache, après les mesures", report["memory_cache"])
            finally:
                cached.stop()
        plain = make_stack(args, postgres, redis, page_cache=False)
        with clock.phase("site sans cache de pages : recherches, pages, profil"):
            plain.start()
            try:
                report["search_plain"] = measure_searches(
                    plain,
                    mixes,
                    clients=args.search_clients,
                    seconds=args.search_seconds,
                    label="sans cache",
                )
                alternative = None
                if not args.skip_pages:
                    rows, alternative = pages.run_alternative(plain, paths, clients, args.seconds)
                    report["pages"] += rows
                report["memory_plain"] = {
                    **pages.processes(plain),
                    **service_memory(postgres, redis),
                }
                print_memory("site sans cache, après les mesures", report["memory_plain"])
                name, urls, p95 = slowest(report["search_plain"], alternative, mixes, paths)
                print(f"\nProfil py-spy sous charge : « {name} » (p95 {p95:.0f} ms sans cache)")
                report["profile"] = {"target": name, **profile(plain, urls, clients=clients[0])}
                print_profile(report["profile"])
            finally:
                plain.stop()


def print_profile(figures: dict) -> None:
    if "error" in figures:
        print(f"  {figures['error']}")
        return
    load_ = figures["load"]
    print(
        f"  charge pendant le profil : {load_['clients']} clients, {load_['rps']} req/s, "
        f"p95 {load_['p95_ms']} ms ; {figures['samples']:.1f} s de piles échantillonnées "
        f"(100 Hz, fils actifs des {len(figures['files'])} workers) ; "
        f"fichiers {', '.join(figures['files'])}"
    )
    for error in figures["errors"]:
        print(f"  py-spy : {error}")
    print("  temps propre (où les échantillons s'arrêtent) :")
    for name, share in figures["self"]:
        print(f"    {share:5.1f} %  {name}")
    print("  code du projet (temps inclus) :")
    for name, share in figures["inclusive_project"]:
        print(f"    {share:5.1f} %  {name}")


def main() -> None:
    args = parse_args()
    if args.child_load:
        child_load(args)
        return
    clock = Clock()
    started = time.perf_counter()
    postgres, redis = OwnPostgres(args.pg_port), OwnRedis(args.redis_port)
    postgres.start()
    redis.start()
    try:
        _stack, report = prepare(args, postgres, redis, clock, read_state() if args.reuse else {})
        print_load(report)
        report["index_size"] = index_sizes()
        report["database"] = database_sizes(postgres.url)
        print_sizes(report["index_size"], report["database"])
        measure_stack(args, postgres, redis, clock, report)
        report["phases_seconds"] = clock.phases
        report["total_seconds"] = round(time.perf_counter() - started, 1)
        print(f"\nDurée totale : {report['total_seconds'] / 60:.1f} min ; phases : {clock.phases}")
        print_json(report)
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
