"""Scenario « postgres »: the stack's own PostgreSQL restarted under load (``pg_ctl
stop -m fast``, ~10 s down, start) while visitors read pages and search, a channel's
readers and senders go on, and an import runs in the background worker. What must
hold: a request during the outage fails fast with the French 503 (no hang), the site
recovers by itself, no chat message is lost or half-written, the import ends up
complete (or failed cleanly), never with a half batch."""

from __future__ import annotations

import time

from benchmarks.stack import Stack

from . import imports
from .chat import Chat, chat_checks, chat_outcome, print_chat
from .common import Context, ensure_postgres, supervisor_restarts
from .django_side import call
from .http import Visitor, Visitors
from .report import Timeline, Verdict, by_phase, compact, print_users

DOWN_SECONDS = 10.0
RECOVERY_SECONDS = 10.0  # after the start, before « après »
FAST_FAILURE_SECONDS = 6.0  # DATABASE_POOL_TIMEOUT (5 s) and a margin
READERS = 5


def run(ctx: Context) -> dict:
    verdict = Verdict("postgres")
    stack = ctx.stack()
    stack.start()
    try:
        return _scenario(ctx, stack, verdict)
    finally:
        ensure_postgres(ctx.postgres)
        stack.stop()


def _visitors(ctx: Context) -> list[Visitor]:
    return [
        *ctx.page_visitors(anonymous=2, signed_in=2),
        Visitor("recherche API", ctx.search_paths(api=True)),
        Visitor("healthz", ["/healthz"], pause=1.0),
    ]


def _restart(ctx: Context, timeline: Timeline) -> float:
    timeline.mark("PostgreSQL arrêté")
    began = time.monotonic()
    ctx.postgres.stop("fast")
    time.sleep(DOWN_SECONDS)
    timeline.mark("PostgreSQL relancé (10 s)")
    ctx.postgres.start()
    down = time.monotonic() - began
    print(f"PostgreSQL arrêté (pg_ctl -m fast) puis relancé : {down:.1f} s sans base", flush=True)
    time.sleep(RECOVERY_SECONDS)
    return down


def _scenario(ctx: Context, stack: Stack, verdict: Verdict) -> dict:
    channel = call(stack, "channel_create", name=f"pannes-postgres-{int(time.time())}")
    chat = Chat(
        ctx.loop,
        port=stack.port,
        channel=channel,
        readers=ctx.cookies[2 : 2 + READERS],
        senders=ctx.cookies[:2],
    )
    chat.start_readers()
    visitors = Visitors(ctx.loop, _visitors(ctx), port=stack.port)
    timeline = Timeline()
    visitors.start()
    chat.start_senders(rate=1.0)
    timeline.mark("avant")
    time.sleep(ctx.seconds)
    ids = imports.start(stack, records=ctx.records, label=f"Panne PostgreSQL {int(time.time())}")
    reached = imports.wait_written(ctx.postgres.url, ids["run"], at_least=imports.BATCH)
    print(f"import {ids['run']} en cours au moment de l'arrêt : {reached}", flush=True)
    _restart(ctx, timeline)
    timeline.mark("après")
    time.sleep(ctx.seconds)
    timeline.mark("fin")
    chat.stop_senders()
    hits = visitors.stop()
    state, _waited = imports.wait_finished(stack, ctx.postgres.url, ids, timeout=300)
    rows = call(stack, "channel_messages", channel=channel)
    caught = chat.caught_up({row[0] for row in rows}, timeout=30)
    chat.stop_readers()
    phases = timeline.phases(time.time())[:-1]
    table = by_phase(hits, phases)
    posts = by_phase(chat.sending.attempts, phases)
    outcome = chat_outcome(chat, rows, caught)
    print_users(table)
    print_users(posts, "Envois HTTP au salon (POST /api/v1/channels/<id>/messages)")
    print_chat(outcome)
    imports.print_state(state, ctx.records, fault_at=dict(timeline.marks)["PostgreSQL arrêté"])
    restarts = supervisor_restarts(stack.log)
    alive = stack.process is not None and stack.process.poll() is None
    print(f"Processus relancés par ops/supervise.py : {len(restarts)}")
    for line in restarts[:10]:
        print(f"  {line}")
    print(f"make serve toujours en marche : {'oui' if alive else 'NON'}")
    print("Ce qui a été perdu :")
    print(
        f"  messages : {outcome['lost']} perdus, {outcome['stored_twice']} en double ; import : "
        f"{state['source_records']} projets écrits pour "
        f"{ctx.records - state['run_rejected']} attendus"
    )
    _checks(verdict, table, posts, outcome, state, ctx, alive)
    verdict.print()
    return {
        "users": compact(table),
        "posts": compact(posts),
        "chat": outcome,
        "import": state,
        "supervisor_restarts": restarts,
        "verdict": verdict.line(),
    }


def _checks(verdict, table, posts, outcome, state, ctx, alive) -> None:
    for phase in ("PostgreSQL arrêté", "PostgreSQL relancé (10 s)"):
        rows = {**table[phase], **posts[phase]}
        for kind, source in rows.items():
            slow = source["failed_slowest_ms"] / 1000
            # /healthz answers {"status": "error"} to probes, by design not a page.
            verdict.check(
                kind in ("tous", "healthz") or source["failed"] == source["failed_french"],
                f"{phase}, {kind} : {source['failed'] - source['failed_french']} échecs sans "
                f"la page française ({source['outcomes']})",
            )
            verdict.check(
                slow <= FAST_FAILURE_SECONDS,
                f"{phase}, {kind} : un échec a mis {slow:.1f} s à répondre",
            )
    after = table["après"]["tous"]
    verdict.check(after["failed"] == 0, f"après : {after['failed']} échecs ({after['outcomes']})")
    chat_checks(verdict, outcome)
    imports.check(verdict, state, ctx.records, must_finish=False)
    verdict.check(alive, "make serve s'est arrêté")
