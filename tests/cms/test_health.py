"""/healthz answers 503 when a required service is down; which services run, and
how they fail, is told only to editors and to a probe holding the token."""

from __future__ import annotations

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

TOKEN = "jeton-de-sonde-4f1c9a7e2b"


@pytest.fixture
def probe(settings):
    settings.HEALTHZ_TOKEN = TOKEN
    return {"authorization": f"Bearer {TOKEN}"}


def test_anonymous_callers_get_the_status_only(client, probe):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}  # no backend names, no timings


def test_a_wrong_or_missing_token_gets_the_status_only(client, probe, settings):
    assert client.get("/healthz", headers={"authorization": "Bearer faux"}).json() == {
        "status": "ok"
    }
    assert client.get("/healthz", headers={"authorization": TOKEN}).json() == {"status": "ok"}
    settings.HEALTHZ_TOKEN = ""  # no token configured: an empty bearer opens nothing
    assert client.get("/healthz", headers={"authorization": "Bearer "}).json() == {"status": "ok"}


def test_anonymous_callers_still_see_503_when_a_service_is_down(client, monkeypatch):
    from cms import health

    def broken():
        raise OperationalError("connection refused to db.internal:5432")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_healthz_reports_every_service_to_the_probe(client, probe):
    response = client.get("/healthz", headers=probe)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "search"}
    assert all(check["ok"] for check in body["checks"].values())


def test_editors_see_the_details(client, editor, user):
    client.force_login(user)  # a member without admin access: status only
    assert "checks" not in client.get("/healthz").json()
    client.force_login(editor)
    assert set(client.get("/healthz").json()["checks"]) == {
        "database",
        "cache",
        "channel_layer",
        "search",
    }


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch, probe):
    from cms import health

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz", headers=probe)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["detail"] == "OperationalError"  # no host names leaked
    assert body["checks"]["cache"]["ok"] is True


def test_a_failing_optional_service_does_not_fail_healthz(client, monkeypatch, settings, probe):
    from cms import health

    settings.HEALTHZ_REQUIRED = ["database", "cache", "channel_layer"]

    def broken():
        raise ConnectionError("search engine unreachable")

    monkeypatch.setitem(health.CHECKS, "search", broken)
    response = client.get("/healthz", headers=probe)
    assert response.status_code == 200
    assert response.json()["checks"]["search"] == {
        "ok": False,
        "required": False,
        "backend": "",
        "detail": "ConnectionError",
        "duration_ms": response.json()["checks"]["search"]["duration_ms"],
    }


def test_the_search_on_the_database_is_not_asked_again_when_the_database_is_down(
    client, monkeypatch, probe, settings
):
    """Each database check waits the pool's timeout when PostgreSQL is down: the
    search backend on the same database is reported down without a second wait."""
    from cms import health

    settings.ELASTICSEARCH_URL = ""
    asked = []

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    monkeypatch.setitem(health.CHECKS, "search", lambda: asked.append(1) or ("database", "ok"))
    body = client.get("/healthz", headers=probe).json()
    assert body["checks"]["search"]["ok"] is False
    assert asked == []
