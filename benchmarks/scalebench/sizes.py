"""The index built by ``manage.py search_reindex``, and what the index and the
database take on disk."""

from __future__ import annotations

import contextlib
import re
import time
import urllib.request

from benchmarks.stack import Stack

from .common import ENGINE_NODE, PREFIX
from .engine import engine_get, engine_indices, engine_lock


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
