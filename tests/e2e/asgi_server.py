"""A live server that speaks websockets, for the browser tests of the channels.

pytest-django's ``live_server`` is Django's WSGI test server: no ``/ws/``. Here
``cms.asgi.application`` (HTTP through Django, websockets through Channels, as in
production) runs under uvicorn in a thread of the test process, on a free port,
against the test database (transactional tests: what the test writes is committed,
so the server's threads read it; on SQLite the test database is an in-memory,
shared-cache one, which every thread of the process opens) and with the in-memory
channel layer (one process: no Redis needed).

The fixtures are named ``asgi_server`` and ``people``; a test module imports
``asgi_server_fixture, people_fixture`` to use them. ``people`` opens one browser
context per person (their own cookies, their own websocket), each with the ``page``
fixture's Content-Security-Policy listener; the test fails at teardown if the policy
blocked anything.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.e2e.conftest import CSP_LISTENER

START_TIMEOUT = 20.0


@dataclass
class AsgiServer:
    url: str
    server: object
    thread: threading.Thread


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(name="asgi_server")
def asgi_server_fixture(_django_db_helper, settings):
    """``cms.asgi.application`` served by uvicorn in a thread; ``.url`` is its address.

    Depends on the database fixture so that it starts after the test database is
    ready and stops before it is flushed (``browser`` does the same)."""
    import uvicorn

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    from cms.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws="websockets-sansio",
        loop="asyncio",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    # uvicorn installs no signal handlers outside the main thread.
    thread = threading.Thread(target=server.run, name="asgi-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            pytest.fail("le serveur ASGI (uvicorn) s'est arrêté au démarrage")
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"le serveur ASGI (uvicorn) n'a pas démarré en {START_TIMEOUT:.0f} s")
        time.sleep(0.05)
    yield AsgiServer(url=f"http://127.0.0.1:{port}", server=server, thread=thread)
    server.should_exit = True
    # Open websockets are closed by uvicorn on shutdown (code 1012); give it time.
    thread.join(timeout=10)
    if thread.is_alive():
        server.force_exit = True
        thread.join(timeout=5)


def session_cookie(user, *, url: str) -> dict:
    """The session cookie of ``user`` signed in (Django's ``force_login``), for
    ``BrowserContext.add_cookies``."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": url}


class People:
    """Opens one browser context (one person) at a time: ``people.open(user)`` gives
    a page of the ASGI server, signed in as ``user`` (anonymous for ``None``)."""

    def __init__(self, browser, server: AsgiServer, csp_violations: list[str]):
        self.browser = browser
        self.server = server
        self.csp_violations = csp_violations
        self.contexts = []
        self.scripted = set()

    def open(self, user=None, *, javascript: bool = True, viewport: dict | None = None):
        context = self.browser.new_context(
            locale="fr-FR",
            base_url=self.server.url,
            java_script_enabled=javascript,
            viewport=viewport or {"width": 1280, "height": 800},
        )
        context.set_default_timeout(15_000)
        if javascript:

            def report(text: str) -> None:
                self.csp_violations.append(text)

            context.expose_function("__carrefourCspViolation", report)
            context.add_init_script(CSP_LISTENER)

        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                self.csp_violations.append(message.text)

        context.on("console", on_console)
        if user is not None:
            context.add_cookies([session_cookie(user, url=self.server.url)])
        self.contexts.append(context)
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts:
            for tab in context.pages:
                if not tab.is_closed() and id(context) in self.scripted:
                    tab.evaluate("0")  # lets the last reports of the page arrive
            context.close()
        self.contexts = []
        self.scripted = set()


@pytest.fixture(name="people")
def people_fixture(browser, asgi_server, csp_violations):
    """``people.open(user)``: a page per person on the ASGI server (see ``People``)."""
    crowd = People(browser, asgi_server, csp_violations)
    yield crowd
    crowd.close()
    if csp_violations:
        pytest.fail("Content-Security-Policy enfreinte :\n" + "\n".join(csp_violations))
