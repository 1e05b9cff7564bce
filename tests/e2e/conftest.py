"""Browser tests: Playwright for Python driving Debian's chromium (never a
downloaded browser). Skipped when chromium is absent, unless
CARREFOUR_REQUIRE_BROWSER=1 (set by .ci/run), where its absence fails the run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


# Every page of every browser test reports what the Content-Security-Policy blocked
# (the event, and Chromium's console message for what the event does not cover).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__carrefourCspViolation(event.effectiveDirective + " bloque " +
    (event.blockedURI || "inline") + " (" + event.sourceFile + ":" + event.lineNumber + ")");
}, true);
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """What the Content-Security-Policy blocked during the test; the ``page``
    fixture fails the test at teardown unless it is empty."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)

    def report(text: str) -> None:
        csp_violations.append(text)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(message.text)

    context.expose_function("__carrefourCspViolation", report)
    context.add_init_script(CSP_LISTENER)
    context.on("console", on_console)
    tab = context.new_page()
    yield tab
    if not tab.is_closed():
        tab.evaluate("0")  # lets the last reports of the page arrive
    context.close()
    if csp_violations:
        pytest.fail("Content-Security-Policy enfreinte :\n" + "\n".join(csp_violations))


AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe():
    """``axe(page)`` runs axe-core (served locally from npm, injected through the
    DevTools protocol, which the page's CSP does not govern) on the page as it
    stands and fails the test on any WCAG 2.1 A/AA violation, naming each rule and
    the elements at fault. Returns the number of rules checked."""
    if not AXE_PATH.exists():
        if os.environ.get("CARREFOUR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"axe-core est introuvable ({AXE_PATH}) : lancez npm ci")
        pytest.skip("axe-core absent : lancez npm ci (make test le fait)")
    source = AXE_PATH.read_text(encoding="utf-8")

    def check(tab, *, context: str = "") -> int:
        if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
            tab.evaluate(source)
        result = tab.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => ({violations: r.violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})),"
            " passes: r.passes.length}))",
            AXE_TAGS,
        )
        if result["violations"]:
            lines = [
                f"- {v['id']} ({v['help']}) : {', '.join(v['nodes'])}" for v in result["violations"]
            ]
            where = context or tab.url
            pytest.fail(f"axe-core, WCAG 2.1 AA, {where} :\n" + "\n".join(lines))
        return result["passes"]

    return check
