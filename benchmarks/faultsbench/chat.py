"""Chat clients of protocol v1 (docs/realtime.md), as the browser's chat.js behaves:
readers subscribed to one channel that reconnect after a drop (0.5–1.5 s) and
subscribe again with the last id they saw; senders that post with a ``client_id``
and send again, with the same ``client_id``, whatever was not acknowledged — one
over HTTP (POST /api/v1/channels/<id>/messages), one over the websocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.loadgen import read_response

from .http import Hit, speaks_french

NO_CLOSE_FRAME = 1006  # RFC 6455: the connection dropped without a close frame


@dataclass
class Reader:
    cookie: str
    ids: list[int] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)
    closes: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    connects: int = 0
    subscribed: bool = False


@dataclass
class Sending:
    """What the senders sent: client_id → body, the acks, and every HTTP attempt."""

    sent: dict[str, str] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)
    duplicate_acks: int = 0
    resent: int = 0
    attempts: list[Hit] = field(default_factory=list)
    ws_closes: Counter = field(default_factory=Counter)
    ws_connects: int = 0
    errors: Counter = field(default_factory=Counter)


def _close_code(exc: BaseException) -> int:
    received = getattr(exc, "rcvd", None)
    return received.code if received is not None else NO_CLOSE_FRAME


async def read_channel(
    reader: Reader, *, port: int, channel: int, stop: asyncio.Event, online: asyncio.Event
) -> None:
    import websockets

    url, origin, last = f"ws://127.0.0.1:{port}/ws/", f"http://127.0.0.1:{port}", 0
    while not stop.is_set():
        try:
            async with websockets.connect(
                url,
                additional_headers={"Cookie": reader.cookie},
                origin=origin,
                open_timeout=10,
                ping_interval=5,
                ping_timeout=10,
                max_queue=None,
            ) as ws:
                reader.connects += 1
                reader.servers.append(json.loads(await ws.recv()).get("server", "?"))
                await ws.send(json.dumps({"type": "subscribe", "channel": channel, "after": last}))
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame["type"] == "message" and frame.get("channel") == channel:
                        reader.ids.append(frame["id"])
                        last = max(last, frame["id"])
                    elif frame["type"] == "caught_up":
                        if not reader.subscribed:
                            reader.subscribed = True
                            online.set()
                    elif frame["type"] == "error":
                        reader.errors[frame.get("code", "?")] += 1
                    if stop.is_set():
                        return
                reader.closes[ws.close_code or NO_CLOSE_FRAME] += 1
        except websockets.ConnectionClosed as exc:
            reader.closes[_close_code(exc)] += 1
        except (TimeoutError, OSError, websockets.WebSocketException) as exc:
            reader.closes[type(exc).__name__] += 1
        if not stop.is_set():
            await asyncio.sleep(random.uniform(0.5, 1.5))


async def _post(port: int, path: str, payload: dict, headers: dict[str, str], timeout: float):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        body = json.dumps(payload).encode()
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{lines}\r\n"
            ).encode()
            + body
        )
        await writer.drain()
        return await asyncio.wait_for(read_response(reader), timeout)
    finally:
        writer.close()


async def send_http(
    sending: Sending, *, port: int, channel: int, cookie: str, rate: float, stop: asyncio.Event
) -> None:
    """Post ``rate`` messages a second; a failed post is tried again (same client_id)."""
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    headers = {"Cookie": f"{cookie}; csrftoken={token}", "X-CSRFToken": token}
    waiting: list[str] = []
    n = 0
    while not stop.is_set() or waiting:
        if not stop.is_set():
            client_id = str(uuid.uuid4())
            sending.sent[client_id] = f"http {n} {time.time():.6f}"
            waiting.append(client_id)
            n += 1
        for client_id in list(waiting):
            at, started = time.time(), time.monotonic()
            payload = {"body": sending.sent[client_id], "client_id": client_id, "reply_to": None}
            try:
                status, answer_headers, body = await _post(
                    port, f"/api/v1/channels/{channel}/messages", payload, headers, 15.0
                )
                outcome = str(status)
                french = status >= 500 and speaks_french(answer_headers, body)
                if status in (200, 201):
                    answer = json.loads(body)
                    sending.acked[client_id] = answer["id"]
                    sending.duplicate_acks += bool(answer.get("duplicate"))
                    waiting.remove(client_id)
                elif status < 500:
                    sending.errors[f"HTTP {status} {body[:80]!r}"] += 1
                    waiting.remove(client_id)  # refused for good: not retried
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                outcome = "Timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
                french = False
            sending.attempts.append(
                Hit(at, time.monotonic() - started, outcome, "POST message", french, False)
            )
            if client_id in waiting:
                sending.resent += 1
                break  # the next round tries again, in order
        if stop.is_set() and waiting and time.monotonic() > getattr(stop, "deadline", 0):
            return
        await asyncio.sleep(1.0 / rate)


async def send_ws(
    sending: Sending, *, port: int, channel: int, cookie: str, rate: float, stop: asyncio.Event
) -> None:
    """Send ``rate`` messages a second over a websocket; after a reconnection every
    frame not yet acknowledged is sent again with its client_id."""
    import websockets

    url, origin = f"ws://127.0.0.1:{port}/ws/", f"http://127.0.0.1:{port}"
    unacked: dict[str, dict] = {}
    retry: set[str] = set()  # refused with « server_error »: sent again (docs/realtime.md)
    live: list = [None]

    async def connection() -> None:
        while not (stop.is_set() and not unacked):
            try:
                async with websockets.connect(
                    url,
                    additional_headers={"Cookie": cookie},
                    origin=origin,
                    open_timeout=10,
                    ping_interval=5,
                    ping_timeout=10,
                ) as ws:
                    sending.ws_connects += 1
                    await ws.recv()  # hello
                    for frame in list(unacked.values()):
                        sending.resent += 1
                        await ws.send(json.dumps(frame))
                    live[0] = ws
                    async for raw in ws:
                        frame = json.loads(raw)
                        if frame["type"] == "ack" and frame.get("client_id") in unacked:
                            unacked.pop(frame["client_id"])
                            sending.acked[frame["client_id"]] = frame["id"]
                            sending.duplicate_acks += bool(frame.get("duplicate"))
                        elif frame["type"] == "error":
                            sending.errors[f"ws {frame.get('code')}"] += 1
                            if frame.get("code") == "server_error":
                                retry.add(frame.get("client_id", ""))
                        if stop.is_set() and not unacked:
                            return
                    sending.ws_closes[ws.close_code or NO_CLOSE_FRAME] += 1
            except websockets.ConnectionClosed as exc:
                sending.ws_closes[_close_code(exc)] += 1
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                sending.ws_closes[type(exc).__name__] += 1
            live[0] = None
            if time.monotonic() > getattr(stop, "deadline", float("inf")):
                return
            await asyncio.sleep(random.uniform(0.5, 1.5))

    task = asyncio.ensure_future(connection())
    n = 0
    while not stop.is_set():
        await _send_again(live[0], unacked, retry, sending)
        client_id = str(uuid.uuid4())
        frame = {
            "type": "send",
            "channel": channel,
            "client_id": client_id,
            "body": f"ws {n} {time.time():.6f}",
            "reply_to": None,
        }
        sending.sent[client_id] = frame["body"]
        unacked[client_id] = frame
        if live[0] is not None:
            with contextlib.suppress(websockets.WebSocketException):  # resent on reconnect
                await live[0].send(json.dumps(frame))
        n += 1
        await asyncio.sleep(1.0 / rate)
    while not task.done():
        await _send_again(live[0], unacked, retry, sending)
        await asyncio.sleep(1.0)
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _send_again(ws, unacked: dict, retry: set, sending: Sending) -> None:
    import websockets

    if ws is None:
        return
    for client_id in list(retry):
        retry.discard(client_id)
        if client_id in unacked:
            sending.resent += 1
            with contextlib.suppress(websockets.WebSocketException):
                await ws.send(json.dumps(unacked[client_id]))


class Chat:
    """N readers and two senders in one channel, driven from the main thread."""

    def __init__(self, loop, *, port: int, channel: int, readers: list[str], senders: list[str]):
        self.loop, self.port, self.channel = loop, port, channel
        self.readers = [Reader(cookie) for cookie in readers]
        self.sender_cookies = senders
        self.sending = Sending()

    def start_readers(self, timeout: float = 60.0) -> int:
        async def begin() -> int:
            self._stop_readers = asyncio.Event()
            onlines = [asyncio.Event() for _ in self.readers]
            self._reading = [
                asyncio.ensure_future(
                    read_channel(
                        r, port=self.port, channel=self.channel, stop=self._stop_readers, online=o
                    )
                )
                for r, o in zip(self.readers, onlines, strict=True)
            ]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(o.wait() for o in onlines)), timeout)
            return sum(o.is_set() for o in onlines)

        return self.loop.call(begin(), timeout + 10)

    def start_senders(self, rate: float = 1.0) -> None:
        async def begin() -> None:
            self._stop_senders = asyncio.Event()
            http_cookie, ws_cookie = self.sender_cookies[:2]
            common = {"port": self.port, "channel": self.channel, "stop": self._stop_senders}
            self._sending = [
                asyncio.ensure_future(
                    send_http(self.sending, cookie=http_cookie, rate=rate, **common)
                ),
                asyncio.ensure_future(send_ws(self.sending, cookie=ws_cookie, rate=rate, **common)),
            ]

        self.loop.call(begin())

    def stop_senders(self, grace: float = 60.0) -> None:
        """Stop sending new messages; let the unacknowledged ones through (≤ grace)."""

        async def end() -> None:
            self._stop_senders.deadline = time.monotonic() + grace
            self._stop_senders.set()
            await asyncio.wait(self._sending, timeout=grace + 15)
            for task in self._sending:
                task.cancel()

        self.loop.call(end(), grace + 30)

    def caught_up(self, stored: set[int], timeout: float) -> float | None:
        """Seconds until every reader has every stored id (None: not within timeout)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if all(stored <= set(r.ids) for r in self.readers):
                return time.monotonic() - started
            time.sleep(0.2)
        return None

    def stop_readers(self) -> None:
        async def end() -> None:
            self._stop_readers.set()
            for task in self._reading:
                task.cancel()
            await asyncio.gather(*self._reading, return_exceptions=True)

        self.loop.call(end(), 30)

    def servers(self) -> Counter:
        return Counter(r.servers[-1] for r in self.readers if r.servers)


def chat_outcome(chat: Chat, rows: list[list], caught_up: float | None) -> dict:
    """What was lost or doubled: every message sent must be stored once, and every
    reader must have received every stored message once."""
    stored_ids = {row[0] for row in rows}
    by_client = Counter(row[1] for row in rows if row[1])
    by_body = Counter(row[2] for row in rows)
    sent = chat.sending.sent
    missing = [len(stored_ids - set(r.ids)) for r in chat.readers]
    closes: Counter = Counter()
    for reader in chat.readers:
        closes.update({str(code): n for code, n in reader.closes.items()})
    return {
        "sent": len(sent),
        "acked": len(chat.sending.acked),
        "stored": len(rows),
        "lost": sum(1 for client_id in sent if client_id not in by_client),
        "stored_twice": sum(n - 1 for n in by_client.values() if n > 1)
        + sum(n - 1 for n in by_body.values() if n > 1),
        "duplicate_acks": chat.sending.duplicate_acks,
        "resent": chat.sending.resent,
        "sender_errors": dict(chat.sending.errors),
        "sender_ws_reconnections": max(chat.sending.ws_connects - 1, 0),
        "sender_ws_closes": {str(k): v for k, v in chat.sending.ws_closes.items()},
        "readers": len(chat.readers),
        "readers_missing_messages": sum(1 for m in missing if m),
        "messages_missed": sum(missing),
        "messages_received_twice": sum(len(r.ids) - len(set(r.ids)) for r in chat.readers),
        "reader_reconnections": sum(max(r.connects - 1, 0) for r in chat.readers),
        "reader_closes": dict(closes),
        "reader_errors": dict(sum((r.errors for r in chat.readers), Counter())),
        "caught_up_seconds": None if caught_up is None else round(caught_up, 1),
    }


def print_chat(outcome: dict) -> None:
    o = outcome
    print("Salon (websockets et HTTP) :")
    print(
        f"  messages envoyés {o['sent']} (accusés {o['acked']}, renvois {o['resent']}, "
        f"accusés « duplicate » {o['duplicate_acks']}) ; enregistrés {o['stored']}"
    )
    print(
        f"  perdus (envoyés, jamais enregistrés) {o['lost']} ; enregistrés deux fois "
        f"{o['stored_twice']}"
    )
    caught = "jamais" if o["caught_up_seconds"] is None else f"{o['caught_up_seconds']} s"
    print(
        f"  {o['readers']} lecteurs : messages manqués {o['messages_missed']} "
        f"({o['readers_missing_messages']} lecteurs), reçus deux fois "
        f"{o['messages_received_twice']} ; tout rattrapé après la fin des envois : {caught}"
    )
    print(
        f"  reconnexions des lecteurs {o['reader_reconnections']}, codes de fermeture "
        f"{o['reader_closes'] or '—'} ; expéditeur websocket : reconnexions "
        f"{o['sender_ws_reconnections']}, fermetures {o['sender_ws_closes'] or '—'}"
    )
    if o["sender_errors"] or o["reader_errors"]:
        print(f"  refus reçus : expéditeurs {o['sender_errors']}, lecteurs {o['reader_errors']}")


def chat_checks(verdict, outcome: dict) -> None:
    o = outcome
    verdict.check(o["lost"] == 0, f"{o['lost']} messages envoyés jamais enregistrés")
    verdict.check(o["stored_twice"] == 0, f"{o['stored_twice']} messages enregistrés deux fois")
    verdict.check(
        o["messages_missed"] == 0,
        f"{o['messages_missed']} messages jamais reçus ({o['readers_missing_messages']} lecteurs)",
    )
    verdict.check(
        o["messages_received_twice"] == 0,
        f"{o['messages_received_twice']} messages reçus deux fois",
    )
