"""The API's rate limit: per client address, raised only by a valid partner key,
never by whatever a caller puts in a header."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from innovations.models import Source, Trust
from innovations.services.imports import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db

LIMIT = 120  # a minute, per address (README, « Données ouvertes »)
PROJECTS = "/api/v1/projects/999999"  # a 404 still counts: the throttle runs first


@pytest.fixture
def source(db):
    return Source.objects.create(name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT)


def _spend(client, count: int, **headers) -> list[int]:
    return [client.get(PROJECTS, headers=headers).status_code for _ in range(count)]


def test_anonymous_callers_are_limited_per_address(client):
    assert set(_spend(client, LIMIT)) == {404}
    refused = client.get(PROJECTS)
    assert refused.status_code == 429
    assert refused["Retry-After"].isdigit()
    assert "Trop de requêtes" in refused.json()["detail"]


def test_one_request_with_a_header_does_not_lift_the_limit_for_everyone(client):
    # The old throttle stored the partner rate on the instance shared by all requests.
    assert client.get(PROJECTS, headers={"authorization": "Bearer n-importe-quoi"}).status_code
    statuses = _spend(client, LIMIT)
    assert statuses.count(429) == 1  # the header request counted in the same bucket
    assert client.get(PROJECTS).status_code == 429


def test_fake_api_keys_share_the_address_bucket(client):
    statuses = [
        client.get(PROJECTS, headers={"x-api-key": f"fausse-cle-{n}"}).status_code
        for n in range(LIMIT + 10)
    ]
    assert statuses.count(404) == LIMIT
    assert statuses.count(429) == 10


def test_forged_forwarded_for_headers_do_not_open_new_buckets(client):
    statuses = [
        client.get(PROJECTS, headers={"x-forwarded-for": f"203.0.113.{n % 250}"}).status_code
        for n in range(LIMIT + 5)
    ]
    assert statuses.count(429) == 5


def test_a_valid_partner_key_gets_the_partner_rate_and_a_revoked_one_does_not(
    client, source, editor
):
    key, secret = api_key_create(source=source, name="Intégration", user=editor)
    partner = {"authorization": f"Bearer {secret}"}
    assert set(_spend(client, LIMIT + 5, **partner)) == {404}
    # The anonymous bucket of the same address is untouched by the partner's calls.
    assert client.get(PROJECTS).status_code == 404
    api_key_revoke(key=key, user=editor)
    statuses = _spend(client, LIMIT, **partner)
    assert statuses.count(429) == 1  # back in the address's bucket (1 already spent)


def test_the_key_is_looked_up_once_per_request(client, source, editor):
    _key, secret = api_key_create(source=source, name="Intégration", user=editor)
    with CaptureQueriesContext(connection) as queries:
        client.get(PROJECTS, headers={"authorization": f"Bearer {secret}"})
    lookups = [q["sql"] for q in queries if "partnerapikey" in q["sql"].lower()]
    # One SELECT (throttle and view share it), one UPDATE of last_used_at.
    assert sum(sql.lstrip().upper().startswith("SELECT") for sql in lookups) == 1


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    first = {"x-forwarded-for": "198.51.100.7, 203.0.113.1"}  # the proxy appended .1
    assert set(_spend(client, LIMIT, **first)) == {404}
    assert client.get(PROJECTS, headers=first).status_code == 429
    other = {"x-forwarded-for": "198.51.100.7, 203.0.113.2"}
    assert client.get(PROJECTS, headers=other).status_code == 404
    # What the client wrote left of our proxy's entry changes nothing.
    spoofed = {"x-forwarded-for": "10.9.9.9, 203.0.113.1"}
    assert client.get(PROJECTS, headers=spoofed).status_code == 429


def test_contact_reveal_counts_by_the_same_client_address(
    client, make_project, other_user, settings
):
    from innovations.views import public

    settings.TRUSTED_PROXY_COUNT = 1
    project = make_project()
    url = reverse("innovations:project_contact", args=[project.pk])
    client.force_login(other_user)
    first = {"x-forwarded-for": "203.0.113.1"}
    for _ in range(public.CONTACT_REVEALS_PER_HOUR):
        assert client.post(url, headers=first).status_code == 200
    assert client.post(url, headers=first).status_code == 429
    assert client.post(url, headers={"x-forwarded-for": "203.0.113.2"}).status_code == 200


def test_client_ip_rules():
    from django.test import RequestFactory, override_settings

    from core.client_ip import client_ip

    factory = RequestFactory()

    def ip(forwarded: str | None, remote: str = "192.0.2.10", proxies: int = 0) -> str:
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        with override_settings(TRUSTED_PROXY_COUNT=proxies):
            return client_ip(factory.get("/", **meta))

    assert ip(None) == "192.0.2.10"
    assert ip("198.51.100.1") == "192.0.2.10"  # no proxy trusted: the header is ignored
    assert ip("198.51.100.1", proxies=1) == "198.51.100.1"
    assert ip("6.6.6.6, 198.51.100.1", proxies=1) == "198.51.100.1"
    assert ip("6.6.6.6, 198.51.100.1, 10.0.0.2", proxies=2) == "198.51.100.1"
    assert ip("198.51.100.1", proxies=2) == "198.51.100.1"  # entered past the outer proxy
    assert ip("", proxies=1) == "192.0.2.10"
    assert ip("pas-une-adresse", proxies=1) == "192.0.2.10"
    assert ip("2001:db8::1", proxies=1) == "2001:db8::1"


def test_the_throttle_keeps_nothing_of_a_request_on_itself(client, source, editor):
    from innovations import api

    throttles = {
        id(t): t
        for operation in api.projects_router.path_operations.values()
        for op in operation.operations
        for t in op.throttle_objects
    }
    before = {key: dict(vars(t)) for key, t in throttles.items()}
    _key, secret = api_key_create(source=source, name="Intégration", user=editor)
    client.get(PROJECTS, headers={"authorization": f"Bearer {secret}"})
    client.get(PROJECTS)
    assert {key: dict(vars(t)) for key, t in throttles.items()} == before
