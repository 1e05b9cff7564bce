"""Browser tests: Playwright for Python driving Debian's chromium (never a
downloaded browser). Skipped when chromium is absent, unless
CARREFOUR_REQUIRE_BROWSER=1 (set by .ci/run), where its absence fails the run."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture
def browser(_django_db_helper):
    # Function-scoped on purpose: Playwright's sync API runs an event loop, and
    # Django code running while it is up gets other connection objects (asgiref
    # locals). Starting it after the test database is ready, and stopping it before
    # the database is reset, keeps serialized rollbacks working.
    executable = _chromium()
    if executable is None:
        if os.environ.get("CARREFOUR_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium est introuvable alors que CARREFOUR_REQUIRE_BROWSER=1")
        pytest.skip("chromium absent : installez le paquet Debian chromium (make test le fait)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself are safe (one thread, no concurrent use).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
        # Close the connections the test opened while Playwright's loop was up,
        # so the test database can be dropped (PostgreSQL refuses while in use).
        from django.db import connections

        connections.close_all()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
