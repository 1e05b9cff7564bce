"""What the scenarios ask the database, run in a subprocess with the stack's
environment (``call(stack, name, **kwargs)``): members and sessions, a channel and
its stored messages, the index compared with the live projects, an import run in the
background worker and what it wrote."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

MARK = "@@faults@@"
COMMUNITY = "banc-pannes"


def call(stack, function: str, timeout: float = 600, **kwargs):
    """Run ``function(**kwargs)`` of this module in Django, with the stack's settings."""
    out = stack.python(
        "import json\n"
        "from benchmarks.faultsbench import django_side as side\n"
        f"result = side.{function}(**json.loads({json.dumps(json.dumps(kwargs))}))\n"
        f"print({MARK!r} + json.dumps(result))",
        timeout=timeout,
    )
    line = next(line for line in reversed(out.splitlines()) if line.startswith(MARK))
    return json.loads(line[len(MARK) :])


def members(*, people: int) -> list[str]:
    """Session cookies of ``people`` members of the bench community (created once)."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Profile
    from communities.models import Community, Membership

    community, _ = Community.objects.get_or_create(
        slug=COMMUNITY,
        defaults={
            "name": "Banc des pannes",
            "short_description": "Scénarios de pannes (benchmarks/faults.py).",
            "kind": "thematique",
            "visibility": "public",
            "join_policy": "open",
            "status": "active",
        },
    )
    User = get_user_model()
    now = timezone.now()
    cookies = []
    store = SessionStore()
    for i in range(people):
        user, created = User.objects.get_or_create(email=f"panne{i}@banc.test")
        if created:
            user.set_unusable_password()
            user.save()
            Profile.objects.get_or_create(user=user, defaults={"display_name": f"Membre {i}"})
        Membership.objects.get_or_create(
            community=community,
            user=user,
            defaults={"role": "member", "state": "active", "joined_at": now},
        )
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        Session.objects.create(
            session_key=key, session_data=store.encode(data), expire_date=now + timedelta(days=1)
        )
        cookies.append(f"sessionid={key}")
    return cookies


def channel_create(*, name: str) -> int:
    from django.utils.text import slugify

    from communities.models import Channel, Community

    community = Community.objects.get(slug=COMMUNITY)
    return Channel.objects.create(community=community, name=name, slug=slugify(name)[:50]).pk


def channel_messages(*, channel: int) -> list[list]:
    """[id, client_id, body] of every message stored in the channel."""
    from communities.models import Message

    rows = Message.objects.filter(channel_id=channel).order_by("pk")
    return [[m.pk, str(m.client_id or ""), m.body] for m in rows]


def index_compare() -> dict:
    """The live, searchable projects the database gives against the project documents
    in the engine's index, and the indexing queue."""
    from search.backends import get_backend
    from search.models import IndexQueue
    from search.registry import adapters

    adapter = adapters()["project"]
    backend = get_backend()
    backend.refresh()
    expected: set[str] = set()
    chunk: list = []
    for obj in [*adapter.queryset().iterator(chunk_size=500), None]:
        if obj is not None:
            chunk.append(obj)
        if len(chunk) == 500 or (obj is None and chunk):
            expected |= {d.key for _, d in adapter.documents(chunk) if d is not None}
            chunk = []
    indexed = backend.keys("project")
    return {
        "database": len(expected),
        "index": len(indexed),
        "missing": sorted(expected - indexed)[:20],
        "missing_count": len(expected - indexed),
        "extra_count": len(indexed - expected),
        "queued": IndexQueue.objects.count(),
    }


def queue_state() -> dict:
    """Updates waiting in the index queue, and the longest wait before the next
    attempt (the queue's growing delay: ``search_sync`` applies only those due)."""
    from django.db.models import Max
    from django.utils import timezone

    from search.models import IndexQueue

    latest = IndexQueue.objects.aggregate(at=Max("next_attempt_at"))["at"]
    wait = max((latest - timezone.now()).total_seconds(), 0) if latest else 0
    return {"count": IndexQueue.objects.count(), "max_wait_seconds": round(wait)}


def import_start(*, records: int, label: str) -> dict:
    """A partner source, a CSV of ``records`` records (benchmarks/imports.py's file,
    from real partner data) and its run handed to the background worker."""
    import random
    import shutil
    import tempfile

    from django.core.files import File
    from django.db import transaction
    from django.utils.text import slugify

    from benchmarks.imports import MAPPING, write_file
    from innovations.models import ImportRun, ProjectPage, Source, Trust
    from innovations.services.imports import import_run_enqueue

    slug = slugify(label)[:50]
    source = Source.objects.create(name=label, slug=slug, trust=Trust.DIRECT, mapping=MAPPING)
    path = Path(tempfile.mkdtemp(prefix="carrefour-faults-")) / f"{slug}.csv"
    write_file(path, records, random.Random(7))
    pages_before = ProjectPage.objects.count()
    with transaction.atomic():
        run = ImportRun(source=source, filename=path.name)
        with path.open("rb") as handle:
            run.file.save(path.name, File(handle), save=False)
        run.save()
        job = import_run_enqueue(run=run)
    shutil.rmtree(path.parent, ignore_errors=True)  # the run keeps its copy (MEDIA_ROOT)
    return {"run": run.pk, "job": job.pk, "source": source.pk, "pages_before": pages_before}


def import_state(*, run: int, job: int, source: int, pages_before: int) -> dict:
    """The run's and job's figures against what is really in the database."""
    from django.db.models import Count

    from innovations.models import ImportRun, ProjectPage, ProjectSourceRecord
    from jobs.models import Job

    r = ImportRun.objects.get(pk=run)
    j = Job.objects.get(pk=job)
    records = ProjectSourceRecord.objects.filter(source_id=source)
    linked = ProjectPage.objects.filter(source_records__source_id=source)
    return {
        "run_status": r.status,
        "run_message": r.message[:300],
        "run_total": r.total,
        "run_processed": r.processed,
        "run_created": r.created,
        "run_updated": r.updated,
        "run_unchanged": r.unchanged,
        "run_held_merged_skipped": r.held + r.merged + r.skipped,
        "run_rejected": r.rejected,
        "run_records_read": r.records_read,
        "job_status": j.status,
        "job_attempts": j.attempts,
        "job_read": j.read,
        "job_message": j.message[:300],
        "job_started_at": j.started_at.timestamp() if j.started_at else None,
        "job_finished_at": j.finished_at.timestamp() if j.finished_at else None,
        "source_records": records.count(),
        "distinct_identifiers": records.values("source_identifier").distinct().count(),
        "pages_of_source": linked.distinct().count(),
        "pages_with_two_records": linked.annotate(n=Count("source_records"))
        .filter(n__gt=1)
        .count(),
        "pages_created": ProjectPage.objects.count() - pages_before,
    }


def sample_paths() -> dict:
    """Pages visitors open: some live projects and public communities."""
    from communities.models import Community
    from innovations.models import ProjectPage

    projects = [p.url for p in ProjectPage.objects.live().public().order_by("pk")[:12]]
    communities = [
        f"/communautes/{slug}/"
        for slug in Community.objects.filter(visibility="public", status="active")
        .order_by("pk")
        .values_list("slug", flat=True)[:4]
    ]
    return {"projects": projects, "communities": communities}
