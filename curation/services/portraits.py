"""Territory portraits in PDF (issue 16): asked for by a visitor, built once by the
background worker, kept in media storage until what they show changes.

**Why media storage, not the Django cache.** The web processes and the worker must
see the same file: without Redis (``make run``) the cache is in each process's
memory, so a PDF the worker put there would never reach the web server. A portrait
weighs a few hundred kilobytes, more than the page cache keeps (2 MB at most, and
Redis evicts large entries first), and a file survives a Redis restart. The files
live in ``portraits/<level>-<code>/<language>-<stamp>.pdf`` (MEDIA_ROOT with the
default storage, or whatever storage production configures): writing a new one
removes the older ones of that territory and language.

**Once per stamp.** Many visitors asking at once start one job: the check for a
pending job of that key and its creation happen under a lock on the territory's
row (PostgreSQL's ``SELECT … FOR UPDATE``; SQLite takes its write lock when the
transaction begins, ``transaction_mode=IMMEDIATE`` in core/env.py)."""

from __future__ import annotations

import datetime
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.absolute_urls import absolute_url, site_root_url
from innovations.models import Territory, TerritoryLevel
from jobs.models import ACTIVE, Job, JobStatus
from jobs.services import job_start

from ..selectors.maps import choropleth, overseas_only
from ..selectors.portraits import portrait_name

PORTRAIT_JOB = "curation_portrait"
# A job that failed for this stamp is not started again before this delay (a
# missing Pango would otherwise start one job per visitor).
RETRY_AFTER = datetime.timedelta(minutes=10)


class PortraitRendererMissing(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are not installed."""


def portrait_key(*, level: str, code: str, language: str, stamp: str) -> str:
    return f"{level}:{code}:{language}:{stamp}"


@dataclass
class PortraitRequest:
    job: Job  # the job building it (or the one that failed a moment ago)
    failed: bool = False


def portrait_request(
    *, level: str, code: str, language: str, stamp: str, data: dict, title: str
) -> PortraitRequest:
    """The job that builds this portrait: the one already pending or running for
    the same key, or a new one handed to the worker once committed."""
    key = portrait_key(level=level, code=code, language=language, stamp=stamp)
    with transaction.atomic():
        # Serialises the visitors of one territory (see the module's docstring).
        list(Territory.objects.select_for_update().filter(level=level, code=code).values("pk"))
        jobs = Job.objects.filter(kind=PORTRAIT_JOB, params__key=key)
        active = jobs.filter(status__in=ACTIVE).order_by("pk").first()
        if active is not None:
            return PortraitRequest(job=active)
        failed = jobs.filter(
            status=JobStatus.FAILED, finished_at__gte=timezone.now() - RETRY_AFTER
        ).first()
        if failed is not None:
            return PortraitRequest(job=failed, failed=True)
        job = job_start(
            kind=PORTRAIT_JOB,
            label=_("Portrait du territoire : %(title)s") % {"title": title},
            params={
                "key": key,
                "level": level,
                "code": code,
                "language": language,
                "stamp": stamp,
                "data": data,
            },
        )
    return PortraitRequest(job=job)


def _map(data: dict) -> dict | None:
    """The SVG map of projects by département: France-wide with the département
    outlined, or the région's départements (the others grey)."""
    counts = data["map"]["counts"]
    scope = data["map"]["scope"]
    if scope is not None and overseas_only(scope):
        return None  # an overseas région: its table says it all
    return choropleth(
        level="departement",
        counts=counts,
        names=dict(
            Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).values_list("code", "name")
        ),
        url=lambda code: "",
        describe=lambda name, count: f"{name} : {count}",
        title=_("Projets par département"),
        current={data["code"]} if data["level"] == TerritoryLevel.DEPARTEMENT else (),
        scope=set(scope) if scope is not None else None,
    )


def _absolute(data: dict) -> dict:
    """The data with every link absolute (a PDF leaves the site)."""

    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and (key == "url" or key.endswith("_url")):
            return absolute_url(value)
        return value

    return walk(data)


def portrait_html(*, data: dict, built_at: datetime.datetime | None = None) -> str:
    """The portrait as HTML for WeasyPrint, in the active language."""
    portrait = _absolute(data)
    events = [{**event, "start": parse_datetime(event["start"])} for event in portrait["events"]]
    return render_to_string(
        "curation/portrait.html",
        {
            "portrait": portrait,
            "events": events,
            "map": _map(data),
            "built_at": built_at or timezone.now(),
            "site_url": site_root_url(),
            "LANGUAGE_CODE": translation.get_language(),
        },
    )


def portrait_render(*, data: dict) -> bytes:
    """The PDF (A4, tagged PDF/UA-1: title, language, structure) of ``data``."""
    try:
        # Imported here: Pango is loaded with it, and the site runs without it.
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: Pango missing (.ci/system-deps)
        raise PortraitRendererMissing(
            _("WeasyPrint ou Pango est introuvable : %(error)s") % {"error": exc}
        ) from exc
    # WeasyPrint logs each of its steps at INFO: ten lines per portrait in the
    # worker's console, nothing anyone reads.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = portrait_html(data=data)
    # The portrait needs no resource: no protocol allowed, so that nothing is ever
    # fetched while rendering, whatever a title or an address says.
    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=html, base_url=site_root_url(), url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def _local_path(name: str) -> Path | None:
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:  # a remote storage (S3…): its writes are atomic
        return None


def portrait_store(*, name: str, content: bytes) -> None:
    """Write the PDF under ``name`` at once: a visitor never reads half a file."""
    path = _local_path(name)
    if path is None:
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(content)
    os.replace(partial, path)


def portrait_prune(*, keep: str, language: str, before: datetime.datetime) -> int:
    """Remove the territory's PDFs in ``language`` written before ``before`` (the
    moment the job for ``keep`` was asked for: their data is older). A PDF written
    since, by a job asked for later, has newer data and stays. Returns how many."""
    folder = os.path.dirname(keep)
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    removed = 0
    for filename in files:
        name = f"{folder}/{filename}"
        if (
            name == keep
            or not filename.startswith(f"{language}-")
            or not filename.endswith(".pdf")  # not another job's file being written
        ):
            continue
        if default_storage.get_modified_time(name) < before:
            default_storage.delete(name)
            removed += 1
    return removed


def portrait_build(*, params: dict, asked_at: datetime.datetime) -> tuple[str, int]:
    """Render and store the portrait a job's ``params`` describe (a job asked for
    at ``asked_at``); returns (name, bytes)."""
    level, code, language = params["level"], params["code"], params["language"]
    name = portrait_name(level=level, code=code, language=language, stamp=params["stamp"])
    with translation.override(language):
        content = portrait_render(data=params["data"])
    portrait_store(name=name, content=content)
    portrait_prune(keep=name, language=language, before=asked_at)
    return name, len(content)
