"""Section 2: the lineage of a project page — ``lineage_for`` (innovations/selectors/
replication.py: one read of the links, one of the linked pages with their places
and sources prefetched, the site's view restrictions loaded once and applied in
memory) for an original with N replications, as anonymous and as a signed-in
member, beside two alternatives that load the same pages, places and sources:

- « naïf (Wagtail par page) », valid for both viewers: the links, then for each
  linked project its page, Wagtail's ``get_view_restrictions()`` and
  ``accept_request()`` (what serving the page checks), its places and its sources
  — one query or more per linked project;
- « live().public() », one queryset with the same prefetches: right for the
  anonymous visitor only (it hides from a member the replications restricted to
  signed-in visitors or to their group), shown for members with what it misses.

Each is timed ``runs`` times (the memo lineage_for keeps on the page for one
request is cleared before each run); queries counted with CaptureQueriesContext."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.db.models import Prefetch, Q
from django.test.utils import CaptureQueriesContext

from benchmarks.searchbench.workload import percentile


def _ours(project, user, request):
    from innovations.selectors.replication import lineage_for

    project.__dict__.pop("_lineage_memo", None)
    lineage = lineage_for(project=project, user=user)
    return [p.pk for p in lineage.origins], [p.pk for p in lineage.replications]


def _naive(project, user, request):
    from innovations.models import ProjectLineage, ProjectPage

    origins, replications = [], []
    rows = ProjectLineage.objects.filter(Q(original=project) | Q(replication=project))
    for _pk, original, replication in rows.values_list("pk", "original_id", "replication_id"):
        other = original if replication == project.pk else replication
        page = ProjectPage.objects.filter(pk=other).first()
        if page is None or not page.live:
            continue
        if not all(r.accept_request(request) for r in page.get_view_restrictions()):
            continue
        list(page.locations.select_related("territory__parent").order_by("sort_order"))
        list(page.source_records.select_related("source"))
        (origins if replication == project.pk else replications).append(page.pk)
    return origins, replications


def _public(project, user, request):
    from innovations.models import ProjectLocation, ProjectPage

    def linked(**where):
        pages = (
            ProjectPage.objects.live()
            .public()
            .filter(**where)
            .prefetch_related(
                Prefetch(
                    "locations",
                    queryset=ProjectLocation.objects.select_related("territory__parent"),
                ),
                "source_records__source",
            )
        )
        return [p.pk for p in pages]

    return (
        linked(replication_links__replication=project),
        linked(inspiration_links__original=project),
    )


WAYS = (
    ("lineage_for", _ours),
    ("naïf (Wagtail par page)", _naive),
    ("live().public()", _public),
)


def viewers(group_id: int):
    """(label, user, request) for the anonymous visitor and a signed-in member of
    the group some replications are restricted to."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    member = get_user_model().objects.create_user(email="mesure@exemple.org", password=None)
    member.groups.add(group_id)
    out = []
    for label, user in (("anonyme", AnonymousUser()), ("membre connecté", member)):
        request = RequestFactory().get("/projets/")
        request.user, request.session = user, {}
        out.append((label, user, request))
    return out


def measure(original: int, group_id: int, *, runs: int) -> list[dict]:
    from innovations.models import ProjectPage

    project = ProjectPage.objects.get(pk=original)
    rows = []
    for viewer, user, request in viewers(group_id):
        expected = None
        for name, way in WAYS:
            way(project, user, request)  # warm-up, not counted
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                result = way(project, user, request)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                way(project, user, request)
            expected = expected or result
            rows.append(
                {
                    "viewer": viewer,
                    "way": name,
                    "p50": statistics.median(timings),
                    "p95": percentile(timings, 0.95),
                    "queries": len(queries.captured_queries),
                    "shown": len(result[1]),
                    "same": all(set(a) == set(b) for a, b in zip(result, expected, strict=True)),
                    "missing": len(set(expected[1]) - set(result[1])),
                    "extra": len(set(result[1]) - set(expected[1])),
                }
            )
    return rows


def render(rows: list[dict], *, replications: int, hidden: dict[str, int], runs: int) -> list[str]:
    lines = [
        f"2. Filiation d'une page projet — un original et {replications} réplications "
        f"(cachées : {', '.join(f'{v} {k}' for k, v in hidden.items())}) ; "
        f"{runs} exécutions",
        f"   {'visiteur':<17}{'méthode':<26}{'p50 ms':>8}{'p95 ms':>8}{'requêtes':>10}"
        f"{'affichées':>11}  résultat",
    ]
    for row in rows:
        verdict = "référence" if row["way"] == WAYS[0][0] else "identique"
        if not row["same"]:
            verdict = f"FAUX : {row['missing']} manquantes, {row['extra']} en trop"
        lines.append(
            f"   {row['viewer']:<17}{row['way']:<26}{row['p50']:8.1f}{row['p95']:8.1f}"
            f"{row['queries']:10d}{row['shown']:11d}  {verdict}"
        )
    return lines


def summary(rows: list[dict]) -> str:
    def row(viewer: str, way: int) -> dict:
        return next(r for r in rows if r["viewer"] == viewer and r["way"] == WAYS[way][0])

    parts = []
    for viewer in dict.fromkeys(r["viewer"] for r in rows):
        ours, naive, public = row(viewer, 0), row(viewer, 1), row(viewer, 2)
        parts.append(
            f"{viewer} {ours['p50']:.1f} ms / {ours['queries']} requêtes, naïf "
            f"{naive['p50']:.0f} ms / {naive['queries']} (×{naive['p50'] / ours['p50']:.0f}), "
            f"live().public() {public['p50']:.1f} ms / {public['queries']}"
            + ("" if public["same"] else f" mais {public['missing']} réplications manquantes")
        )
    return "Résumé 2 (filiation, lineage_for) — " + " ; ".join(parts)
