"""Where to look on a channel page (templates/communities/channels/channel.html, driven
by static/js/chat.js) and what the channels journey (test_channels_journey.py) does
on it: wait until the tab is live, say something, listen to the websocket."""

from __future__ import annotations

import json
from contextlib import contextmanager

from playwright.sync_api import expect

LIVE_TIMEOUT = 10_000  # ms: connect, subscribe, be caught up

# chat.js's sentences (communities/views/chat_page.py, ``_strings``).
OFFLINE = "hors ligne — reconnexion…"
RECONNECTED = "Reconnecté : les messages manqués sont affichés."
REPORTED = "Merci : le message est signalé aux modérateurs"


def channel_url(community_slug: str, channel_slug: str = "general") -> str:
    return f"/communautes/{community_slug}/discussions/{channel_slug}/"


def messages(tab):
    """The messages shown, oldest first (the list's other items are separators)."""
    return tab.locator(".chat-messages > .chat-message")


def message(tab, text: str):
    return messages(tab).filter(has=tab.locator(".chat-message__body", has_text=text))


def message_node(tab, message_id: int):
    return tab.locator(f"#message-{message_id}")


def shown_ids(tab) -> list[int]:
    return [int(i) for i in messages(tab).evaluate_all("all => all.map(n => n.dataset.id)")]


def shown_texts(tab) -> list[str]:
    return [
        t.strip()
        for t in tab.locator(".chat-messages > .chat-message .chat-message__body").all_inner_texts()
    ]


def status(tab):
    return tab.locator(".chat-status")


def composer(tab):
    return tab.locator("textarea[name=body]")


def wait_live(tab, *, reconnected: bool = False) -> None:
    """The tab's socket is open and subscribed: chat.js empties its « Connexion au
    salon… » status on the first ``caught_up`` and says « Reconnecté » on the next."""
    tab.wait_for_function(
        "() => { const c = window.Carrefour && window.Carrefour.chat;"
        " return !!c && !!c.socket() && c.socket().readyState === WebSocket.OPEN; }",
        timeout=LIVE_TIMEOUT,
    )
    if reconnected:
        expect(status(tab)).to_have_text(RECONNECTED, timeout=LIVE_TIMEOUT)
    else:
        expect(status(tab)).to_have_text("", timeout=LIVE_TIMEOUT)


def say(tab, text: str) -> int:
    """Types ``text`` in the composer, presses Enter (chat.js sends it over the
    socket), waits until it is in the list and acknowledged; returns its id."""
    box = composer(tab)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    shown = message(tab, text)
    expect(shown).to_have_count(1)
    expect(tab.locator("[data-chat-pending]")).to_be_hidden()
    return int(shown.get_attribute("data-id"))


def mark_page(tab) -> None:
    """Marks the document: ``assert_same_page`` fails if it was reloaded since."""
    tab.evaluate("() => { window.__carrefourNoReload = true; }")


def assert_same_page(tab) -> None:
    assert tab.evaluate("() => window.__carrefourNoReload === true"), "la page a été rechargée"


class Frames:
    """The frames a tab's websockets received (every connection of the tab,
    reconnections included), decoded, each with ``_socket`` (1 for the first
    connection, 2 for the next…). Set up before the first ``goto``.

    ``cuttable=True`` puts the tab's connections through Playwright's websocket
    routing, frames forwarded here (so ``received`` is what the page was given):
    ``cut()`` closes the open connection from the server's side, as a restarting
    server or a dead proxy would, and refuses new ones until ``restore()``;
    ``refused`` counts the reconnections refused meanwhile; ``deafen()`` loses the
    server's frames on the way (acknowledgements included), the page's too with
    ``both_ways``, until then."""

    def __init__(self, tab, *, cuttable: bool = False):
        self.tab = tab
        self.received: list[dict] = []
        self.sockets = 0
        self.cutting = False
        self.deaf = self.mute = False
        self.refused = 0
        self._open: list = []
        if cuttable:
            tab.context.route_web_socket("**/ws/", self._route)
        else:
            tab.on("websocket", self._opened)

    def _record(self, payload, number: int) -> None:
        if isinstance(payload, str):
            frame = json.loads(payload)
            frame["_socket"] = number
            self.received.append(frame)

    def _opened(self, socket) -> None:
        if not socket.url.endswith("/ws/"):
            return
        self.sockets += 1
        number = self.sockets
        socket.on("framereceived", lambda payload: self._record(payload, number))

    def _route(self, route) -> None:
        if self.cutting:
            self.refused += 1
            route.close(code=1011, reason="coupure")
            return
        server = route.connect_to_server()
        self.sockets += 1
        number, wire = self.sockets, {"open": True}

        def to_page(payload) -> None:
            if wire["open"] and not self.deaf:
                self._record(payload, number)
                route.send(payload)

        def to_server(payload) -> None:
            if wire["open"] and not self.mute:
                server.send(payload)

        server.on_message(to_page)
        route.on_message(to_server)
        self._open.append((route, server, wire))

    def cut(self) -> None:
        self.cutting = True
        for route, server, wire in self._open:
            wire["open"] = False
            server.close(code=1001, reason="coupure")  # the consumer hears of it too
            route.close(code=1011, reason="coupure")
        self._open = []

    def deafen(self, *, both_ways: bool = False) -> None:
        """From now on the server's frames are lost on the way (the connection looks
        open), the page's too with ``both_ways``, until ``restore()``."""
        self.deaf, self.mute = True, both_ways

    def restore(self) -> None:
        self.cutting = self.deaf = self.mute = False

    def wait_refused(self, count: int = 1) -> None:
        """Until the tab has tried, and failed, to reconnect ``count`` times."""
        self._poll(lambda: self.refused >= count, f"{count} reconnexion(s) refusée(s)")

    def of(self, type_: str, **fields) -> list[dict]:
        return [
            f
            for f in self.received
            if f.get("type") == type_ and all(f.get(k) == v for k, v in fields.items())
        ]

    @contextmanager
    def expect(self, type_: str, **fields):
        """``with frames.expect("notification", kind=…):`` the action, then waits
        until one more such frame has arrived."""
        before = len(self.of(type_, **fields))
        yield
        self._poll(lambda: len(self.of(type_, **fields)) > before, f"une trame « {type_} »")

    def _poll(self, done, what: str) -> None:
        # Frames are handed over on Playwright's side, not in the page: wait in
        # short steps (Playwright delivers them meanwhile).
        for _ in range(LIVE_TIMEOUT // 50):
            if done():
                return
            self.tab.wait_for_timeout(50)
        seen = [(f.get("type"), f.get("id"), f["_socket"]) for f in self.received]
        raise AssertionError(f"attendu : {what} ; reçu : {seen}")


def report(tab, message_id: int, reason: str) -> None:
    """Reports a message from its « Actions » (sent over the socket by chat.js)."""
    node = message_node(tab, message_id)
    node.locator(".chat-message__actions > summary").click()
    node.get_by_text("Signaler", exact=True).click()
    node.get_by_label("Pourquoi signalez-vous ce message ?").fill(reason)
    node.get_by_role("button", name="Envoyer le signalement").click()
    expect(status(tab)).to_contain_text(REPORTED)


def account_link(tab, name: str):
    """A link of the header's « Mon compte » menu, by its accessible name (which
    carries the unread count: « Notifications, 2 non lues »)."""
    return tab.locator("nav.account-nav").get_by_role("link", name=name, exact=True)
