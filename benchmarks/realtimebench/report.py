"""From the clients' records to the figures, and the table side by side."""

from __future__ import annotations

import math
from collections import Counter

TARGET_P95_MS = 100.0


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(*, layer, args, stored, records, marks, cpu, outcome, ramp, rss, status, log):
    """``stored``: {id: send time}; ``records``: one per reader connection."""
    steady = {i for i, t in stored.items() if t < marks["steady_end"]}
    down, back = marks.get("down", math.inf), marks.get("back", math.inf)
    outage = {i for i, t in stored.items() if down <= t < back}
    after = {i for i, t in stored.items() if t >= back}
    every = set(stored)
    steady_lat, after_lat = [], []
    lost = steady_lost = dup = reconnects = 0
    catch_up = 0.0
    for record in records:
        seen = Counter(record["ids"])
        lost += len(every - seen.keys())
        steady_lost += len(steady - seen.keys())
        dup += sum(n - 1 for n in seen.values() if n > 1)
        reconnects += record["reconnects"]
        for i, latency, at in zip(record["ids"], record["lat"], record["at"], strict=True):
            if i in steady:
                steady_lat.append(latency * 1000)
            elif i in after:
                after_lat.append(latency * 1000)
            elif i in outage:
                catch_up = max(catch_up, at - back)
    steady_lat.sort()
    after_lat.sort()
    acks = sorted(ms for t, ms in outcome["acks"] if t < marks["steady_end"])
    span = {key: cpu["end"][key] - cpu["start"][key] for key in cpu["start"]}
    text = log.read_text(errors="replace") if log.exists() else ""
    n = len(records)
    return {
        "layer": layer,
        "servers": " / ".join(str(v) for _, v in sorted(status["servers"].items())),
        "connected": ramp["connected"],
        "presence": (ramp["presence"], n * (n - 1) // 2),
        "presence_calm": ramp["presence_calm"],
        "sent": (len(steady), len(stored), outcome["sent"]),
        "ack": (percentile(acks, 0.5), percentile(acks, 0.95)),
        "lat": [percentile(steady_lat, q) for q in (0.5, 0.95, 0.99)]
        + [steady_lat[-1] if steady_lat else math.nan],
        "rate": len(steady_lat) / args.duration,
        "steady_lost": steady_lost,
        "lost": lost,
        "dup": dup,
        "mem_kb": (rss[1] - rss[0]) / max(1, n),
        "cpu": {k: 100 * v / span["time"] for k, v in span.items() if k != "time"},
        "outage": (len(outage), catch_up if outage else math.nan, back - down),
        "after": (
            percentile(after_lat, 0.5),
            percentile(after_lat, 0.95),
            after_lat[-1] if after_lat else math.nan,
        ),
        "reconnects": reconnects,
        "sender": (outcome.get("sender_reconnects", 0), outcome.get("sender_resent", 0)),
        "errors": dict(status["errors"]) | dict(outcome["refused"]),
        "asgi_errors": text.count("Exception in ASGI application"),
        "doorbell_warnings": text.count("not rung (channel layer unavailable)"),
    }


def print_table(rows: list[dict], *, restart: bool) -> None:
    def line(label, values):
        print(f"{label:46}" + "".join(f"{v:>24}" for v in values))

    def each(fmt):
        return [fmt(r) for r in rows]

    line("couche (CARREFOUR_CHANNEL_LAYER)", each(lambda r: r["layer"]))
    line("connexions par worker", each(lambda r: r["servers"]))
    line("montée en charge : tous abonnés", each(lambda r: f"{r['connected']:.1f} s"))
    line("présence : trames reçues / N(N-1)/2", each(lambda r: "{} / {}".format(*r["presence"])))
    line("présence : calme au bout de", each(lambda r: f"{r['presence_calm']:.1f} s"))
    line("mémoire par connexion (RSS des workers)", each(lambda r: f"{r['mem_kb']:.0f} kB"))
    line("messages du régime / stockés en tout", each(lambda r: "{} / {}".format(*r["sent"][:2])))
    line("ack à l'expéditeur p50 / p95", each(lambda r: "{:.0f} / {:.0f} ms".format(*r["ack"])))
    line("livraison p50 / p95", each(lambda r: "{:.0f} / {:.0f} ms".format(*r["lat"][:2])))
    line("livraison p99 / max", each(lambda r: "{:.0f} / {:.0f} ms".format(*r["lat"][2:])))
    line("livraisons par seconde", each(lambda r: f"{r['rate']:.0f}"))
    line("perdus (régime) / dupliqués", each(lambda r: f"{r['steady_lost']} / {r['dup']}"))
    line("CPU workers (% d'un cœur, régime)", each(lambda r: f"{r['cpu']['workers']:.0f} %"))
    line("CPU Redis", each(lambda r: f"{r['cpu']['redis']:.0f} %"))
    line("CPU clients (processus + expéditeurs)", each(lambda r: f"{r['cpu']['clients']:.0f} %"))
    if restart:
        print(
            "Redis arrêté (shutdown nosave) puis relancé pendant que les expéditeurs continuent :"
        )
        line("  arrêt → Redis répond de nouveau", each(lambda r: f"{r['outage'][2]:.1f} s"))
        line("  messages envoyés pendant l'arrêt", each(lambda r: str(r["outage"][0])))
        line("  tous rattrapés après le retour", each(lambda r: f"{r['outage'][1]:.1f} s"))
        line(
            "  livraison ensuite p50 / p95",
            each(lambda r: "{:.0f} / {:.0f} ms".format(*r["after"][:2])),
        )
        line("  livraison ensuite max", each(lambda r: f"{r['after'][2]:.0f} ms"))
        line("  websockets coupées (reconnexions)", each(lambda r: str(r["reconnects"])))
        line("  expéditeurs reconnectés / renvois", each(lambda r: "{} / {}".format(*r["sender"])))
        line(
            "  erreurs ASGI / sonnettes non sonnées",
            each(lambda r: f"{r['asgi_errors']} / {r['doorbell_warnings']}"),
        )
        line("  perdus / dupliqués (toute la course)", each(lambda r: f"{r['lost']} / {r['dup']}"))
    line(
        "trames d'erreur reçues",
        each(lambda r: ", ".join(f"{k}={v}" for k, v in r["errors"].items()) or "aucune"),
    )
    for r in rows:
        met = r["lat"][1] <= TARGET_P95_MS and r["lost"] == 0 and r["dup"] == 0
        print(
            f"Objectif {r['layer']} (p95 ≤ {TARGET_P95_MS:.0f} ms, 0 perdu, 0 dupliqué) : "
            f"{'atteint' if met else 'NON ATTEINT'}"
        )
