"""/territoires/<level>/<code>/portrait.pdf: the territory's portrait, built by the
background worker (curation/jobs.py) and served from media storage.

A PDF for the current stamp is served at once. Otherwise the view starts the job
(one per stamp, however many visitors ask) and waits a little for the worker;
still not ready, it answers 202 with a French page and a link to try again — no
automatic refresh (WCAG 2.2.1: the visitor decides when)."""

from __future__ import annotations

import time

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jobs.models import JobStatus

from ..selectors.portraits import (
    portrait_data,
    portrait_filename,
    portrait_language,
    portrait_name,
    portrait_stamp,
    portrait_stored,
)
from ..selectors.topics import territory_path, topic_for_territory
from ..services.portraits import portrait_request

# How long a visitor's request waits for the worker, and how often it looks.
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.5
FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


def _serve(name: str, *, level: str, code: str) -> HttpResponse:
    # Read whole (a few hundred kilobytes): a streamed file under ASGI would be
    # read whole anyway, with a warning.
    with default_storage.open(name, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{portrait_filename(level=level, code=code)}"'
    )
    # Public data, the same for everyone; its address does not change when the
    # data does, so browsers ask again rather than keep an old copy for long.
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def territory_portrait(request: HttpRequest, level: str, code: str) -> HttpResponse:
    topic = topic_for_territory(level=level, code=code)
    if topic is None:
        raise Http404
    title = f"{topic.title} ({topic.code})" if level == "departement" else topic.title
    page_url = territory_path(level, code)
    data = portrait_data(topic=topic)
    if not data["available"]:  # the search is down: no portrait full of zeros
        return render(
            request,
            "curation/portrait_pending.html",
            {"title": title, "unavailable": True, "page_url": page_url},
            status=503,
        )
    language = portrait_language()
    stamp = portrait_stamp(data)
    name = portrait_name(level=level, code=code, language=language, stamp=stamp)
    if portrait_stored(name):
        return _serve(name, level=level, code=code)
    asked = portrait_request(
        level=level, code=code, language=language, stamp=stamp, data=data, title=title
    )
    job, failed = asked.job, asked.failed
    deadline = time.monotonic() + WAIT_SECONDS
    while not failed and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if portrait_stored(name):
            return _serve(name, level=level, code=code)
        job.refresh_from_db(fields=["status"])
        if job.status in FINISHED:
            failed = job.status != JobStatus.DONE
            break
    if portrait_stored(name):  # written during the last wait
        return _serve(name, level=level, code=code)
    return render(
        request,
        "curation/portrait_pending.html",
        {"title": title, "failed": failed, "page_url": page_url},
        status=503 if failed else 202,
    )
