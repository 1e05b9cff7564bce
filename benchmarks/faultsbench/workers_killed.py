"""Scenario « workers »: kill -9 of one gunicorn worker while visitors read pages and
a channel's readers (websockets) and senders go on — the other worker keeps serving,
only the requests in flight on the killed one may fail, gunicorn starts a new one,
and its websocket clients reconnect and catch up; then kill -9 of the background
worker (`manage.py carrefour_worker`) in the middle of an import — ops/supervise.py
starts it again and the job is resumed (``jobs_recover``) without duplicates."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from benchmarks.realtimebench.system import wait_for as wait_until
from benchmarks.stack import Stack

from . import imports
from .chat import Chat, chat_checks, chat_outcome, print_chat
from .common import Context, background_workers, supervisor_restarts, web_workers
from .django_side import call
from .http import Visitors
from .report import Timeline, Verdict, by_phase, compact, print_users

# A request fails because of the kill if it was in flight on the killed worker, or
# sent within these seconds on a keep-alive connection to it (a browser would retry).
IN_FLIGHT_WINDOW = 3.0
ANONYMOUS, SIGNED_IN = 3, 3


def run(ctx: Context) -> dict:
    verdict = Verdict("workers")
    stack = ctx.stack()
    stack.start()
    try:
        return _scenario(ctx, stack, verdict)
    finally:
        stack.stop()


def _victim(chat: Chat, stack: Stack) -> int:
    """The web worker that serves the most readers (hello.server is « host:pid »)."""
    pids = web_workers(stack)
    counts = Counter(int(server.rsplit(":", 1)[1]) for server in chat.servers().elements())
    return max(pids, key=lambda pid: counts.get(pid, 0))


def _kill_web_worker(chat: Chat, stack: Stack, timeline: Timeline) -> dict:
    before = set(web_workers(stack))
    victim = _victim(chat, stack)
    on_victim = [r for r in chat.readers if r.servers and r.servers[-1].endswith(f":{victim}")]
    timeline.mark("worker web tué")
    killed_at = time.time()
    os.kill(victim, signal.SIGKILL)
    started = time.monotonic()
    replaced = wait_until(
        lambda: (set(web_workers(stack)) - before) and len(web_workers(stack)) == len(before),
        timeout=60,
    )
    seconds = time.monotonic() - started
    print(
        f"worker web {victim} tué (kill -9) avec {len(on_victim)} lecteurs dessus ; "
        f"remplacé par gunicorn : {'oui' if replaced else 'NON'} en {seconds:.1f} s "
        f"(workers {sorted(before)} → {sorted(web_workers(stack))})",
        flush=True,
    )
    return {
        "victim": victim,
        "killed_at": killed_at,
        "replaced": bool(replaced),
        "replaced_seconds": round(seconds, 1),
        "readers_on_victim": len(on_victim),
        "victims": on_victim,
    }


def _kill_background_worker(ctx: Context, stack: Stack, timeline: Timeline) -> dict:
    ids = imports.start(stack, records=ctx.records, label=f"Worker tué {int(time.time())}")
    reached = imports.wait_written(ctx.postgres.url, ids["run"], at_least=imports.BATCH)
    before = background_workers(stack)
    timeline.mark("worker de fond tué")
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    again = wait_until(lambda: set(background_workers(stack)) - set(before), timeout=60)
    seconds = time.monotonic() - started
    print(
        f"worker de fond {before} tué (kill -9) en plein import {reached} ; relancé par "
        f"ops/supervise.py : {'oui' if again else 'NON'} en {seconds:.1f} s",
        flush=True,
    )
    return {"ids": ids, "killed": before, "restarted": bool(again), "at": reached}


def _scenario(ctx: Context, stack: Stack, verdict: Verdict) -> dict:
    channel = call(stack, "channel_create", name=f"pannes-workers-{int(time.time())}")
    chat = Chat(
        ctx.loop,
        port=stack.port,
        channel=channel,
        readers=ctx.cookies[2 : 2 + ctx.readers],
        senders=ctx.cookies[:2],
    )
    chat.start_readers()
    print(f"lecteurs par worker web : {dict(chat.servers())}", flush=True)
    visitors = Visitors(
        ctx.loop, ctx.page_visitors(anonymous=ANONYMOUS, signed_in=SIGNED_IN), port=stack.port
    )
    timeline = Timeline()
    visitors.start()
    chat.start_senders(rate=1.0)
    timeline.mark("avant")
    time.sleep(ctx.seconds)
    web = _kill_web_worker(chat, stack, timeline)
    time.sleep(ctx.seconds)
    background = _kill_background_worker(ctx, stack, timeline)
    time.sleep(ctx.seconds)
    timeline.mark("fin")
    chat.stop_senders()
    hits = visitors.stop()
    state, _waited = imports.wait_finished(stack, ctx.postgres.url, background["ids"], timeout=300)
    rows = call(stack, "channel_messages", channel=channel)
    caught = chat.caught_up({row[0] for row in rows}, timeout=30)
    chat.stop_readers()
    phases = timeline.phases(time.time())[:-1]
    table = by_phase(hits, phases)
    outcome = chat_outcome(chat, rows, caught)
    reconnected = sum(r.connects >= 2 for r in web.pop("victims"))
    print_users(table)
    print_chat(outcome)
    print(f"  lecteurs du worker tué reconnectés : {reconnected}/{web['readers_on_victim']}")
    imports.print_state(state, ctx.records, fault_at=dict(timeline.marks)["worker de fond tué"])
    restarts = supervisor_restarts(stack.log)
    alive = stack.process is not None and stack.process.poll() is None
    print(f"ops/supervise.py : {restarts or 'aucune relance'} ; make serve en marche : {alive}")
    print("Ce qui a été perdu :")
    print(
        f"  messages : {outcome['lost']} perdus, {outcome['stored_twice']} en double, "
        f"{outcome['messages_missed']} non reçus ; import : {state['source_records']} projets "
        f"pour {ctx.records - state['run_rejected']} attendus, "
        f"{state['pages_with_two_records']} en double"
    )
    in_flight = [
        h
        for h in hits
        if h.failed
        and h.at + h.seconds >= web["killed_at"]
        and h.at <= web["killed_at"] + IN_FLIGHT_WINDOW
    ]
    _checks(verdict, table, hits, in_flight, web, background, reconnected, outcome, state, ctx)
    verdict.check(alive, "make serve s'est arrêté")
    verdict.print()
    return {
        "users": compact(table),
        "web_worker": web,
        "background_worker": {k: v for k, v in background.items() if k != "ids"},
        "chat": outcome,
        "import": state,
        "verdict": verdict.line(),
    }


def _checks(verdict, table, hits, in_flight, web, background, reconnected, outcome, state, ctx):
    failed = [h for h in hits if h.failed]
    visitors = ANONYMOUS + SIGNED_IN  # at most one request in flight each
    verdict.check(
        len(failed) == len(in_flight) and len(in_flight) <= visitors,
        f"{len(failed)} requêtes en échec dont {len(in_flight)} en cours sur le worker tué "
        f"({visitors} visiteurs)",
    )
    verdict.note(f"requêtes en échec au moment du kill (en cours sur le worker) : {len(in_flight)}")
    verdict.check(web["replaced"], "gunicorn n'a pas remplacé le worker tué en 60 s")
    verdict.check(
        reconnected == web["readers_on_victim"],
        f"{web['readers_on_victim'] - reconnected} lecteurs du worker tué non reconnectés",
    )
    chat_checks(verdict, outcome)
    verdict.check(background["restarted"], "le worker de fond n'a pas été relancé")
    imports.check(verdict, state, ctx.records, must_finish=True)
    verdict.check(state["job_attempts"] >= 2, "la tâche d'import n'a pas été reprise")
