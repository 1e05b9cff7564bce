"""Backups as docs/deploiement.md describes them (issue 15): a PostgreSQL dump of an
installation with the demo content, restored into a new database, its search index
rebuilt from that database alone (`manage.py search_reindex`), answers the same
searches — totals, order and facets — as the original.

On the search engine when ELASTICSEARCH_URL is set (CI: the 3-node cluster, each
installation with its own index prefix), else on the database backend. Needs
PostgreSQL and its client tools (pg_dump, pg_restore); skipped without them,
failed instead with CARREFOUR_REQUIRE_REDIS=1 (.ci/run's PostgreSQL phase).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.chat.test_two_processes import _throwaway_database, _unavailable

ROOT = Path(__file__).resolve().parents[2]

# Searches as a visitor makes them, through the public API: words, facets, a list.
SEARCHES = [
    {"q": "jardin"},
    {"q": "inclusion numérique"},
    {"q": "emploi", "type": "project"},
    # Without words, the default order is a fair shuffle salted by the engine with
    # the index's name (a rebuilt index has a new one): compare a stable order.
    {"type": "project", "tri": "recents", "page": "2"},
    {"type": "project", "tri": "alpha"},
    {"q": "alimentation solidaire"},
    {"type": "community", "tri": "alpha"},
]

PROBE = """
import json, sys
from django.test import Client
client = Client()
out = []
for params in json.loads(sys.argv[1]):
    answer = client.get("/api/v1/search", params, HTTP_HOST="127.0.0.1")
    assert answer.status_code == 200, answer.content[:500]
    body = answer.json()
    out.append({
        "params": params,
        "count": body["count"],
        "hits": [hit["url"] for hit in body["results"]],
        "facets": {
            name: sorted((v["value"], v["count"]) for v in values)
            for name, values in body["facets"].items()
        },
    })
print(json.dumps(out))
"""


def _run(args: list[str], env: dict, timeout: float = 600) -> str:
    done = subprocess.run(  # noqa: S603 — our own interpreter, pg_dump, pg_restore
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(args[:3])}…\n{done.stderr[-3000:]}"
    return done.stdout


def _environment(database_url: str, prefix: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_ADDOPTS", "REDIS_URL", "SEARCH_INDEX_PREFIX"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DATABASE_POOL="false",
        SEARCH_INDEX_PREFIX=prefix,
        LOG_LEVEL="WARNING",
        REQUEST_LOG="false",
    )
    return env


def _manage(env: dict, *args: str) -> str:
    return _run([sys.executable, "manage.py", *args], env)


def _searches(env: dict) -> list[dict]:
    output = _run([sys.executable, "-c", _SETUP + PROBE, json.dumps(SEARCHES)], env)
    return json.loads(output.strip().splitlines()[-1])


_SETUP = "import django; django.setup()\n"


def _drop_indexes(env: dict) -> None:
    if env.get("ELASTICSEARCH_URL"):
        _run(
            [
                sys.executable,
                "-c",
                _SETUP + "from search.backends import get_backend\nget_backend().clear()\n",
            ],
            env,
        )


@pytest.fixture
def tools():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        _unavailable("la sauvegarde se teste sur PostgreSQL (DATABASE_URL)")
    missing = [name for name in ("pg_dump", "pg_restore") if shutil.which(name) is None]
    if missing:
        _unavailable(f"outils PostgreSQL absents : {', '.join(missing)}")


def test_dump_restore_rebuild_gives_the_same_search_results(tools):
    tag = f"backup{os.getpid()}"
    with ExitStack() as stack:
        original_url = stack.enter_context(_throwaway_database())
        restored_url = stack.enter_context(_throwaway_database(f"carrefour_restored_{os.getpid()}"))
        original = _environment(original_url, f"{tag}-a")
        restored = _environment(restored_url, f"{tag}-b")
        stack.callback(_drop_indexes, original)
        stack.callback(_drop_indexes, restored)

        _manage(original, "migrate", "--noinput", "-v", "0")
        _manage(original, "setup_carrefour", "-v", "0")
        _manage(original, "search_reindex", "-v", "0")
        before = _searches(original)
        assert before[0]["count"] > 0 and before[3]["hits"], before  # real content

        dump = Path(tempfile.mkdtemp(prefix="carrefour-dump-")) / "carrefour.dump"
        stack.callback(shutil.rmtree, dump.parent, True)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", original_url], original)
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_url, str(dump)], restored
        )
        # The index is not in the dump: it is rebuilt from the restored database.
        _manage(restored, "search_reindex", "-v", "0")
        after = _searches(restored)
        assert after == before
