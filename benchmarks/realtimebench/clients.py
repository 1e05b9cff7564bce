"""The readers: client processes (spawned, no Django), each with asyncio and its
share of the websocket connections. A connection checks the ``hello`` frame's
``server`` and reconnects until its process's share is even over the worker
processes, subscribes, pings every ``ping`` seconds (the consumer's safety net), and
notes every message's id, delivery latency (from the send time in its body) and
arrival. A dropped connection reconnects after 0.5–1.5 s and subscribes with the
last id it saw, as the browser client does. Commands through a pipe: ``status``,
``stop`` (answers every connection's record)."""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import random
import time
from array import array
from collections import Counter

from .system import cpu_seconds

HANDSHAKES_IN_FLIGHT = 16  # per client process


def client_process(conn, url: str, cookies: list[str], channel: int, workers: int, ping: float):
    asyncio.run(_clients(conn, url, cookies, channel, workers, ping))


async def _clients(conn, url, cookies, channel, workers, ping_every):
    import websockets

    loop = asyncio.get_running_loop()
    commands: asyncio.Queue = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: commands.put_nowait(conn.recv()))
    origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
    quota = math.ceil(len(cookies) / workers)
    per_server: Counter = Counter()
    state = {"subscribed": 0, "presence": 0, "last_presence": 0.0, "messages": 0}
    errors: Counter = Counter()
    records = [
        {"server": None, "ids": array("q"), "lat": array("d"), "at": array("d"), "reconnects": 0}
        for _ in cookies
    ]
    stopping = asyncio.Event()
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    sockets: dict[int, object] = {}

    async def pinger(ws):
        await asyncio.sleep(random.uniform(0, ping_every))
        try:
            while True:
                await ws.send('{"type": "ping"}')
                await asyncio.sleep(ping_every)
        except websockets.ConnectionClosed:
            pass

    async def connect(record, cookie):
        for attempt in range(10):
            async with gate:
                ws = await websockets.connect(
                    url,
                    additional_headers={"Cookie": cookie},
                    origin=origin,
                    open_timeout=120,
                    ping_interval=None,
                    max_queue=None,
                )
                hello = json.loads(await ws.recv())
            if record["server"] or per_server[hello["server"]] < quota or attempt == 9:
                break
            await ws.close()  # this worker has its share: try for the other one
        if not record["server"]:
            per_server[hello["server"]] += 1
        record["server"] = hello["server"]
        return ws

    async def one(index: int, cookie: str):
        record, last_id, subscribed = records[index], 0, False
        while not stopping.is_set():
            task = None
            try:
                ws = sockets[index] = await connect(record, cookie)
                subscribe = {"type": "subscribe", "channel": channel, "after": last_id}
                await ws.send(json.dumps(subscribe))
                task = asyncio.ensure_future(pinger(ws))
                async for raw in ws:
                    now = time.time()
                    frame = json.loads(raw)
                    kind = frame["type"]
                    if kind == "message":
                        record["ids"].append(frame["id"])
                        record["lat"].append(now - float(frame["body"].split()[1]))
                        record["at"].append(now)
                        last_id = max(last_id, frame["id"])
                        state["messages"] += 1
                    elif kind == "presence":
                        state["presence"] += 1
                        state["last_presence"] = now
                    elif kind == "caught_up" and not subscribed:
                        subscribed = True
                        state["subscribed"] += 1
                    elif kind == "error":
                        errors[frame["code"]] += 1
            except (TimeoutError, OSError, websockets.WebSocketException):
                pass
            finally:
                if task is not None:
                    task.cancel()
            if not stopping.is_set():
                record["reconnects"] += 1
                await asyncio.sleep(random.uniform(0.5, 1.5))

    tasks = [asyncio.ensure_future(one(i, cookie)) for i, cookie in enumerate(cookies)]
    while True:
        command = await commands.get()
        if command == "status":
            conn.send({**state, "errors": dict(errors), "servers": dict(per_server)})
        elif command == "stop":
            stopping.set()
            await asyncio.gather(*(ws.close() for ws in sockets.values()), return_exceptions=True)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            conn.send(records)
            return


class Clients:
    """``procs`` client processes sharing ``cookies`` between them."""

    def __init__(
        self, *, url: str, cookies: list[str], channel: int, procs: int, workers: int, ping: float
    ):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for k in range(procs):
            parent, child = context.Pipe()
            process = context.Process(
                target=client_process,
                args=(child, url, cookies[k::procs], channel, workers, ping),
                daemon=True,
            )
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def status(self) -> dict:
        total = {"subscribed": 0, "presence": 0, "last_presence": 0.0, "messages": 0}
        servers, errors = Counter(), Counter()
        for pipe in self.pipes:
            pipe.send("status")
        for pipe in self.pipes:
            part = pipe.recv()
            for key in ("subscribed", "presence", "messages"):
                total[key] += part[key]
            total["last_presence"] = max(total["last_presence"], part["last_presence"])
            servers.update(part["servers"])
            errors.update(part["errors"])
        return {**total, "servers": servers, "errors": errors}

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes)

    def stop(self) -> list[dict]:
        records = []
        for pipe in self.pipes:
            pipe.send("stop")
        for pipe, process in zip(self.pipes, self.processes, strict=True):
            records.extend(pipe.recv())
            process.join(timeout=10)
        return records

    def kill(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.kill()
