"""Anonymous pages from the cache, invalidated at once by what changes them
(core/page_cache.py): a change published is seen on the next anonymous request."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from wagtail.models import PageViewRestriction

from core import page_cache
from search.models import SearchQueryDay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_on")]


@pytest.fixture
def cache_on():
    with override_settings(CARREFOUR_PAGE_CACHE_SECONDS=300):
        page_cache._down_until = 0.0
        yield


@pytest.fixture
def project(make_project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_project(title="La Recyclerie des Combrailles")


def _get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.get("X-Cache", "")


def test_an_anonymous_page_is_served_from_the_cache_the_second_time(client, project):
    first, state = _get(client, project.url)
    assert first.status_code == 200 and state == "miss"
    second, state = _get(client, project.url)
    assert state == "hit"
    assert second.content == first.content
    # The outer middleware still set its headers on the cached answer.
    assert "Content-Security-Policy" in second


def test_a_published_change_is_seen_at_once(
    client, project, editor, django_capture_on_commit_callbacks
):
    _get(client, project.url)
    assert _get(client, project.url)[1] == "hit"
    revision = project.get_latest_revision_as_object()
    revision.title = "La Recyclerie des Monts"
    with django_capture_on_commit_callbacks(execute=True):
        revision.save_revision(user=editor).publish(user=editor)
    response, state = _get(client, project.url)
    assert state == "miss"
    assert "La Recyclerie des Monts" in response.content.decode()


def test_an_unpublished_page_is_gone_at_once(
    client, project, editor, django_capture_on_commit_callbacks
):
    url = project.url
    _get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        project.unpublish(user=editor)
    assert client.get(url).status_code == 404


def test_a_restricted_page_is_no_longer_served_to_anonymous_visitors(
    client, project, django_capture_on_commit_callbacks
):
    _get(client, project.url)
    assert _get(client, project.url)[1] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=project, restriction_type="login")
    response = client.get(project.url)
    assert response.status_code != 200 or "La Recyclerie" not in response.content.decode()
    assert response.get("X-Cache") != "hit"


def test_the_search_list_follows_a_publication(
    client, make_project, django_capture_on_commit_callbacks
):
    url = "/recherche/?q=recyclerie"
    with django_capture_on_commit_callbacks(execute=True):
        make_project(title="La Recyclerie des Combrailles")
    assert "/projets/la-recyclerie-des-combrailles/" in client.get(url).content.decode()
    assert _get(client, url)[1] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        make_project(title="La Recyclerie du Lot", commune="23096")
    response, state = _get(client, url)
    assert state == "miss"
    assert "/projets/la-recyclerie-du-lot/" in response.content.decode()


def test_the_generation_moves_at_once_and_again_after_the_index_update(
    make_project, django_capture_on_commit_callbacks
):
    from django.db import transaction

    start = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True) as hooks, transaction.atomic():
        make_project(title="La Recyclerie des Combrailles")
        assert page_cache.generation() > start  # at once
    # The last commit hook is a bump: after the index update queued before it.
    assert hooks[-1] is page_cache._bump


def test_a_stopped_cache_is_not_asked_again_on_every_change(monkeypatch):
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("Redis arrêté")

    monkeypatch.setattr(page_cache.cache, "incr", failing)
    for _ in range(50):
        page_cache.content_changed()
    assert len(calls) == 1  # then 5 s without asking


def test_searches_served_from_the_cache_are_still_counted(client, project):
    for _ in range(3):
        client.get("/recherche/?q=recyclerie")
    assert SearchQueryDay.objects.get(query="recyclerie").searches == 3


def test_signed_in_members_are_never_served_a_cached_page(client, project, user):
    _get(client, project.url)
    client.force_login(user)
    response, state = _get(client, project.url)
    assert response.status_code == 200 and state == ""


def test_a_page_that_sets_a_cookie_is_not_stored(client, site_pages):
    # The login form holds a CSRF token (its cookie): never shared between visitors.
    client.get("/compte/login/")
    with override_settings(PAGE_CACHE_EXCLUDED_PATHS=()):
        first, state = _get(client, "/compte/login/")
        assert first.cookies and state == ""


def test_the_language_is_part_of_the_key(client, project):
    french = client.get(project.url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(project.url).content.decode()
    assert 'lang="fr"' in french and 'lang="en"' in english


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
)
def test_pages_still_answer_when_the_cache_does_not(client, project):
    from core.cache import ResilientRedisCache

    ResilientRedisCache._down_until = 0.0
    response = client.get(project.url)
    assert response.status_code == 200
    assert "La Recyclerie des Combrailles" in response.content.decode()
    # The cache is not asked again for a few seconds: no half-second wait per call.
    try:
        assert ResilientRedisCache._down_until > time.monotonic()
        assert client.get(project.url).status_code == 200
    finally:
        ResilientRedisCache._down_until = 0.0


def test_fragments_are_rebuilt_after_a_change(django_capture_on_commit_callbacks):
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert page_cache.cached_fragment("t", ("a",), build) == 1
    assert page_cache.cached_fragment("t", ("a",), build) == 1
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.content_changed()
    assert page_cache.cached_fragment("t", ("a",), build) == 2


def test_a_refused_fragment_is_not_kept():
    assert page_cache.cached_fragment("t", ("b",), lambda: [], keep=bool) == []
    assert page_cache.cached_fragment("t", ("b",), lambda: [1], keep=bool) == [1]


def test_stable_keys_do_not_depend_on_set_order():
    assert page_cache.stable(frozenset({"b", "a"})) == page_cache.stable(frozenset({"a", "b"}))
    assert page_cache.stable({"y": 1, "x": 2}) == page_cache.stable({"x": 2, "y": 1})
