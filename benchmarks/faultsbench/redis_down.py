"""Scenario « redis »: the stack's own Redis (cache, page cache, channel layer)
stopped for ~20 s while visitors read pages and a channel's readers and senders go
on. Anonymous pages must keep answering 200 (rendered from the database: the page
cache misses), and once Redis is back no message is lost or doubled."""

from __future__ import annotations

import time

from benchmarks.stack import Stack

from .chat import Chat, chat_checks, chat_outcome, print_chat
from .common import Context, ensure_redis
from .django_side import call
from .http import Visitors
from .report import Timeline, Verdict, by_phase, compact, print_users

OUTAGE_SECONDS = 20.0


def run(ctx: Context) -> dict:
    verdict = Verdict("redis")
    stack = ctx.stack()
    stack.start()
    try:
        return _scenario(ctx, stack, verdict)
    finally:
        ensure_redis(ctx.redis)
        stack.stop()


def _scenario(ctx: Context, stack: Stack, verdict: Verdict) -> dict:
    channel = call(stack, "channel_create", name=f"pannes-redis-{int(time.time())}")
    chat = Chat(
        ctx.loop,
        port=stack.port,
        channel=channel,
        readers=ctx.cookies[2 : 2 + ctx.readers],
        senders=ctx.cookies[:2],
    )
    online = chat.start_readers()
    servers = dict(chat.servers())
    print(f"{online}/{ctx.readers} lecteurs abonnés au salon {channel} ; serveurs {servers}")
    visitors = Visitors(ctx.loop, ctx.page_visitors(), port=stack.port)
    timeline = Timeline()
    visitors.start()
    chat.start_senders(rate=1.0)
    timeline.mark("avant")
    time.sleep(ctx.seconds)
    timeline.mark("Redis arrêté")
    ctx.redis.stop()
    down_at = time.monotonic()
    time.sleep(OUTAGE_SECONDS)
    timeline.mark("Redis relancé")
    ctx.redis.start()
    print(f"Redis arrêté {time.monotonic() - down_at:.1f} s (shutdown nosave, puis relancé vide)")
    time.sleep(ctx.seconds)
    timeline.mark("fin")
    chat.stop_senders()
    hits = visitors.stop()
    rows = call(stack, "channel_messages", channel=channel)
    caught = chat.caught_up({row[0] for row in rows}, timeout=30)
    chat.stop_readers()
    table = by_phase(hits, timeline.phases(time.time())[:-1])
    print_users(table)
    outcome = chat_outcome(chat, rows, caught)
    print_chat(outcome)
    posts = by_phase(chat.sending.attempts, timeline.phases(time.time())[:-1])
    print_users(posts, "Envois HTTP au salon (POST /api/v1/channels/<id>/messages)")
    print("Ce qui a été perdu :")
    print(
        f"  messages : {outcome['lost']} perdus, {outcome['stored_twice']} en double, "
        f"{outcome['messages_missed']} non reçus"
    )
    down = table["Redis arrêté"]
    for kind in ("pages anonymes", "pages connectées"):
        s = down[kind]
        verdict.check(
            s["requests"] > 0 and s["failed"] == 0,
            f"{kind} pendant la panne : {s['failed']} échecs sur {s['requests']}",
        )
    verdict.note(
        f"pages anonymes pendant la panne : {down['pages anonymes']['requests']} réponses, "
        f"dont {down['pages anonymes']['cache_hits']} du cache (rendues depuis la base sinon)"
    )
    after = table["Redis relancé"]["tous"]
    verdict.check(after["failed"] == 0, f"{after['failed']} échecs après le retour de Redis")
    chat_checks(verdict, outcome)
    verdict.check(caught is not None, "des lecteurs n'ont pas tout rattrapé en 30 s")
    verdict.print()
    return {
        "users": compact(table),
        "posts": compact(posts),
        "chat": outcome,
        "verdict": verdict.line(),
    }
