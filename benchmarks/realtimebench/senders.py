"""The senders: ``rate`` messages a second in total, each body ``<n> <send time>``,
spread over the sender connections; then Redis is shut down and started again while
they go on. A sender whose connection drops reconnects and sends again what was not
acknowledged, with the same ``client_id`` (stored once: the ack says ``duplicate``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter


async def send_phase(*, url, cookies, channel, args, redis, marks, sample) -> dict:
    """Fills ``marks`` (start, steady_end, down, back); ``sample(name)`` notes CPU."""
    import websockets

    origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
    sent, acks, refused = {}, {}, Counter()
    unacked = [{} for _ in cookies]
    live: list = [None] * len(cookies)
    counts = Counter()
    stopping = asyncio.Event()

    async def sender(j: int, cookie: str, ready: asyncio.Event):
        while not stopping.is_set():
            try:
                ws = await websockets.connect(
                    url, additional_headers={"Cookie": cookie}, origin=origin, ping_interval=None
                )
                await ws.recv()  # hello
                for frame in list(unacked[j].values()):
                    counts["resent"] += 1
                    await ws.send(json.dumps(frame))
                live[j] = ws
                ready.set()
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame["type"] == "ack":
                        acks.setdefault(frame["client_id"], time.time())
                        unacked[j].pop(frame["client_id"], None)
                        counts["duplicate_acks"] += bool(frame.get("duplicate"))
                    elif frame["type"] == "error":
                        refused[frame["code"]] += 1
            except (TimeoutError, OSError, websockets.WebSocketException):
                pass
            live[j] = None
            if not stopping.is_set():
                counts["reconnects"] += 1
                await asyncio.sleep(random.uniform(0.5, 1.5))

    readies = [asyncio.Event() for _ in cookies]
    tasks = [asyncio.ensure_future(sender(j, c, readies[j])) for j, c in enumerate(cookies)]
    await asyncio.gather(*(ready.wait() for ready in readies))
    t0 = time.time() + 0.5
    marks["start"], marks["steady_end"] = t0, t0 + args.duration
    end = marks["steady_end"] + (args.outage + 2 + args.after_restart if args.restart else 0)

    async def restart():
        await asyncio.sleep(marks["steady_end"] + 2 - time.time())
        marks["down"] = time.time()
        await asyncio.to_thread(redis.shutdown)
        await asyncio.sleep(args.outage)
        await asyncio.to_thread(redis.start)
        marks["back"] = time.time()

    restarting = asyncio.ensure_future(restart()) if args.restart else None
    k, sampled = 0, False
    while (at := t0 + k / args.rate) < end:
        if not sampled and at >= marks["steady_end"]:
            sample("end")
            sampled = True
        await asyncio.sleep(max(0.0, at - time.time()))
        if k == 0:
            sample("start")
        j, client_id = k % len(cookies), str(uuid.uuid4())
        sent[client_id] = time.time()
        frame = {
            "type": "send",
            "channel": channel,
            "client_id": client_id,
            "body": f"{k} {sent[client_id]:.6f}",
        }
        unacked[j][client_id] = frame
        if live[j] is not None:
            with contextlib.suppress(websockets.WebSocketException):  # resent on reconnect
                await live[j].send(json.dumps(frame))
        k += 1
    if not sampled:
        sample("end")
    if restarting is not None:
        await restarting
    deadline = time.time() + 30
    while any(unacked) and time.time() < deadline:
        await asyncio.sleep(0.2)
    stopping.set()
    await asyncio.gather(*(ws.close() for ws in live if ws is not None), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    ack_ms = [(t, (acks[c] - t) * 1000) for c, t in sent.items() if c in acks]
    return {"sent": len(sent), "acks": ack_ms, "refused": refused} | {
        "sender_" + key: value for key, value in counts.items()
    }
