"""Test settings: the embedded default, or PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REDIS_URL

DEBUG = False
SECRET_KEY = "tests-only-secret-key-not-used-anywhere-else"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="carrefour-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Tests never need the network nor npm: a small communes fixture written for them.
TERRITORIES_COMMUNES_FILE = str(BASE_DIR / "tests/fixtures/territories/communes.json")
WHITENOISE_AUTOREFRESH = True

# Imports run in the test process (no worker).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
GEOCODER = "centroid"

# The suite searches the database. Engine tests (the `backend` fixture of
# tests/search/conftest.py) read ELASTICSEARCH_URL from the environment themselves,
# so CI's engine changes nothing for the other tests.
SEARCH_ENGINE_SETTINGS = None
ELASTICSEARCH_URL = None

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # An in-memory database per test run (pytest-django creates it).
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    # The test process's threads share pytest-django's transaction: no pool here
    # (tests/serving drives real servers with the production pool).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"].pop("pool", None)

# The suite checks what views show, and changes data behind the signals (queryset
# updates, settings): the page cache stays off except in the tests that turn it on
# (tests/cms/test_page_cache.py, tests/serving/ with the production settings).
CARREFOUR_PAGE_CACHE_SECONDS = 0

if REDIS_URL:
    # Keep test keys apart from a developer's running instance.
    CACHES["default"]["KEY_PREFIX"] = "carrefour-test"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "carrefour-test"  # noqa: F405

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "WARNING"},
}
