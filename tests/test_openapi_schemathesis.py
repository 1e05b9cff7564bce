"""The API does what its OpenAPI schema says: schemathesis generates requests from
the served schema (/api/v1/openapi.json) and checks every answer — no 5xx, only
documented status codes and content types, bodies that match their schemas.

Bounded and deterministic (derandomized, 25 examples per operation) so that CI
runs the same cases each time, in seconds. The app is called in-process through
its WSGI handler, in the test's thread and database transaction, on a few
published projects so that the answers are not all empty.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from innovations.services.imports import api_key_create
from search.indexing import reindex

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/openapi.json"
# Not ``positive_data_acceptance``: the search's rules across parameters (« lat »
# needs « lon », « autour » must name a known commune) and its refusal of control
# characters (a 400 with a French message, search/query.py) are not expressible
# per parameter in OpenAPI; they are answered with the documented 400.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def demo_projects(make_project, editor):
    from innovations.models import Source, Trust

    make_project(title="Jardin partagé de Guéret", commune="23096")
    make_project(
        title="Repair café de Rennes",
        themes=["environnement.economie-circulaire"],
        commune="35238",
        tags=["repair café"],
    )
    make_project(title="Projet en brouillon", live=False)
    source = Source.objects.create(name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT)
    api_key_create(source=source, name="Intégration", user=editor)
    reindex()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes stale database connections at each request;
    the test's connection holds its transaction. As Django's test client does,
    the closing is suspended while the handler serves the generated requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded once, from the served schema (no database involved in serving it).
# (schemathesis.pytest.from_fixture, the lazy loader, does not run on pytest 9.)
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, demo_projects):
    # The rate limit (120 a minute per address) is real and documented (429); the
    # generated calls would reach it, so each one starts with an empty bucket.
    cache.clear()
    case.call_and_validate(checks=CHECKS)
