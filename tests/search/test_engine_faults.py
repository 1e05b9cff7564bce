"""Faults on the real 3-node cluster: one node stopped during queries and writes
(nobody sees an error, nothing is lost: the client knows every node and retries
on another), the whole cluster stopped (pages answer with a French message, writes
wait in the queue, which drains on recovery). Every test leaves the cluster green."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command

from search.documents import PUBLIC, SearchDocument
from search.models import IndexQueue
from search.query import SearchQuery
from tests.search.conftest import engine_backend
from tests.search.documents import project_document

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db]

CLUSTER = Path(__file__).resolve().parents[2] / "ops" / "opensearch" / "cluster"
ANYONE = frozenset({PUBLIC})


def follower_node(backend) -> str:
    """The number of a node that is not the elected cluster manager: losing the
    manager is another fault (calls wait for the election, tens of seconds, without
    error), which this test would otherwise meet or miss by the luck of elections."""
    url = backend.config.urls[0].rstrip("/") + "/_cat/nodes?h=name,cluster_manager&format=json"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the local cluster)
        nodes = json.loads(answer.read())
    followers = sorted(n["name"] for n in nodes if n.get("cluster_manager") != "*")
    return followers[-1].removeprefix("node-")


def cluster(*args: str, timeout: int = 180) -> None:
    subprocess.run(["bash", str(CLUSTER), *args], check=True, timeout=timeout)  # noqa: S603, S607


@pytest.fixture
def spread(engine):
    """Three shards with a replica each: every node holds copies."""
    instance = engine_backend()
    instance.config = replace(instance.config, shards=3, replicas=1)
    if len(instance.config.urls) < 3:
        pytest.skip("ELASTICSEARCH_URL doit donner les trois nœuds du cluster local")
    yield instance
    instance.clear()


def doc(n: int) -> SearchDocument:
    return project_document(
        kind="project", object_id=str(n), url=f"/projets/{n}/", title=f"Atelier numéro {n}"
    )


def test_one_node_stopped_during_queries_and_writes(
    spread, monkeypatch, make_project, django_capture_on_commit_callbacks
):
    """Searches through the service and publishes through the index queue, as
    visitors and editors make them, while a node (not the elected manager) stops and comes back."""
    from search import backends, indexing, services

    for module in (backends, services, indexing):
        monkeypatch.setattr(module, "get_backend", lambda: spread)
    spread.index([doc(n) for n in range(200)])
    errors: list[tuple] = []
    published: list[int] = []
    searches = 0
    slowest = 0.0
    done = threading.Event()

    node = follower_node(spread)

    def fault():
        try:
            cluster("stop-node", node)
            time.sleep(2)
            cluster("start-node", node)
        finally:
            done.set()

    thread = threading.Thread(target=fault)
    thread.start()
    try:
        # Through the fault, and on until ten rounds at least (a node that stops takes
        # a few seconds, and a call caught by it waits up to SEARCH_TIMEOUT).
        deadline = time.monotonic() + 180
        while (not done.is_set() or searches < 10) and time.monotonic() < deadline:
            step, started = "publish", time.monotonic()
            try:
                with django_capture_on_commit_callbacks(execute=True):
                    published.append(make_project(title=f"Atelier publié {len(published)}").pk)
                step = "search"
                results = services.search(
                    query=SearchQuery(text="atelier", principals=ANYONE), record=False
                )
                assert results.total >= 200
                searches += 1
            except Exception as exc:  # what a visitor or an editor would have seen
                errors.append((step, round(time.monotonic() - started, 1), exc))
            slowest = max(slowest, time.monotonic() - started)
    finally:
        thread.join()
        cluster("wait", "green", "120")
    print(f"slowest call {slowest:.1f} s, {searches} searches, {len(published)} publishes")
    assert errors == []
    assert searches >= 10 and len(published) >= 10
    call_command("search_sync", "--all", verbosity=0)  # what waited, if anything
    spread.refresh()
    assert not IndexQueue.objects.filter(kind="project").exists()
    keys = spread.keys()
    assert {f"project:{n}" for n in range(200)} <= keys
    assert {f"project:{pk}" for pk in published} <= keys  # nothing lost


def test_whole_cluster_down_pages_answer_writes_wait_and_drain_on_recovery(
    engine, make_project, django_capture_on_commit_callbacks, client
):
    engine.index([doc(1)])
    try:
        cluster("stop")
        with django_capture_on_commit_callbacks(execute=True):
            project = make_project(title="Ressourcerie publiée pendant la panne")
        row = IndexQueue.objects.get(kind="project", object_id=str(project.pk))
        assert row.attempts == 1  # the publish itself succeeded; the update waits
        page = client.get("/recherche/", {"q": "ressourcerie"})
        assert page.status_code == 503
        assert "momentanément indisponible" in page.content.decode()
        api = client.get("/api/v1/search", {"q": "ressourcerie"})
        assert api.status_code == 503
        assert client.get(project.url).status_code == 200  # « projets proches » degrade
    finally:
        cluster("start", timeout=400)
        cluster("wait", "green", "120")
    call_command("search_sync", "--all", verbosity=0)
    assert not IndexQueue.objects.filter(kind="project", object_id=str(project.pk)).exists()
    engine.refresh()
    results = engine.search(SearchQuery(text="ressourcerie panne", principals=ANYONE))
    assert "Ressourcerie publiée pendant la panne" in [hit.title for hit in results.hits]
