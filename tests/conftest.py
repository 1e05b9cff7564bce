"""Shared fixtures. Tests run on SQLite by default, on PostgreSQL/Redis when
DATABASE_URL/REDIS_URL are set (see README, « Tests »)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(config, items):
    """A transactional test without ``serialized_rollback`` ends with a flush whose
    post_migrate signal writes content types and permissions again; the next test
    that restores the serialized database then fails on them (« UNIQUE constraint
    failed: django_content_type… », every browser test after it). Refused here, at
    collection, rather than found in CI."""
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError(
            "django_db(transaction=True) sans serialized_rollback=True : "
            + ", ".join(offenders[:5])
        )


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth's rate limits live in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def territories(db):
    """Régions, départements and the small communes fixture (no network, no npm)."""
    from innovations.territories import territories_load

    territories_load(
        communes_path=FIXTURES / "territories" / "communes.json",
        coordinates_path=FIXTURES / "territories" / "communes_coordinates.csv",
    )


@pytest.fixture
def home_page(db):
    from cms.services import site_tree_ensure

    return site_tree_ensure()


@pytest.fixture
def site_pages(home_page):
    from cms.demo.editorial import editorial_pages_ensure

    editorial_pages_ensure(home=home_page)
    return home_page


@pytest.fixture
def password() -> str:
    return "un-mot-de-passe-solide-42"


@pytest.fixture
def user(db, password):
    from tests.factories import UserFactory

    return UserFactory(password=password)


@pytest.fixture
def other_user(db, password):
    from tests.factories import UserFactory

    return UserFactory(password=password)


@pytest.fixture
def projects_index(site_pages, territories):
    """/projets/ with its moderation workflow, on the territories fixture."""
    from innovations.services.setup import project_index_ensure

    return project_index_ensure(home=site_pages)


@pytest.fixture
def moderator(db, password):
    from tests.factories import UserFactory

    return UserFactory(password=password, groups=["Modérateurs"], email="moderatrice@exemple.org")


@pytest.fixture
def editor(db, password):
    from tests.factories import UserFactory

    return UserFactory(password=password, groups=["Éditeurs"], email="editeur@exemple.org")


@pytest.fixture
def owner(db, password):
    from tests.factories import UserFactory

    return UserFactory(password=password, email="porteuse@exemple.org")


@pytest.fixture
def make_project(projects_index, editor):
    """Create a project through the public service; ``live=True`` publishes it."""
    from innovations.services.projects import project_create
    from tests.factories import project_input

    def make(*, owner=None, live=True, **overrides):
        author = owner or editor
        project = project_create(user=author, data=project_input(**overrides))
        if owner is None:
            project.owner = None
            project.save(update_fields=["owner"])
        if live:
            project.get_latest_revision().publish(user=editor)
            project.refresh_from_db()
        return project

    return make
