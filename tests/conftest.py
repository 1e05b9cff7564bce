"""Shared fixtures. Tests run on SQLite by default, on PostgreSQL/Redis when
DATABASE_URL/REDIS_URL are set (see README, « Tests »)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

FIXTURES = Path(__file__).parent / "fixtures"


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
