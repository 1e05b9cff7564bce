"""Section 3: the portrait of the Creuse in PDF (curation/services/portraits.py), as a
visitor gets it at /territoires/departement/23/portrait.pdf through django.test.Client:

- cold: no PDF stored for the current data (the territory's folder emptied before
  each run); the request computes the data and starts the job, then answers 202 at
  once (the view's wait for a worker set to 0: there is none here), and the job is
  run as the background worker runs it (jobs/services.py ``job_run``: WeasyPrint's
  rendering, tagged PDF/UA-1, then the file stored);
- cached: the PDF already stored for the data's stamp, served by the view (the data
  is still computed to check the stamp: without Redis the page cache is off, as in
  ``make run``).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from pathlib import Path

URL = "/territoires/departement/23/portrait.pdf"


def _pages(content: bytes, folder: Path) -> str:
    """The PDF's page count (pdfinfo, when poppler-utils is installed)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return "?"
    path = folder / "mesure-portrait.pdf"
    path.write_bytes(content)
    out = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True).stdout  # noqa: S603
    path.unlink()
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "?")


def measure(*, cold_runs: int, cached_runs: int) -> dict:
    from django.conf import settings
    from django.test import Client

    from curation.services.portraits import PORTRAIT_JOB
    from curation.views import portraits as view
    from jobs.models import Job, JobStatus
    from jobs.services import job_run

    view.WAIT_SECONDS = 0  # no worker: the job is run below, as the worker would
    client = Client(SERVER_NAME="localhost")
    folder = Path(settings.MEDIA_ROOT) / "portraits" / "departement-23"
    asks, builds = [], []
    for _ in range(cold_runs):
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        response = client.get(URL)
        asks.append((time.perf_counter() - started) * 1000)
        if response.status_code != 202:
            raise RuntimeError(f"{URL} : {response.status_code} au lieu de 202 (froid)")
        job = Job.objects.filter(kind=PORTRAIT_JOB).latest("pk")
        started = time.perf_counter()
        done = job_run(job_id=job.pk)
        builds.append((time.perf_counter() - started) * 1000)
        if done.status != JobStatus.DONE:
            raise RuntimeError(f"tâche du portrait : {done.status} — {done.message}")
    serves, content = [], b""
    for _ in range(cached_runs):
        started = time.perf_counter()
        response = client.get(URL)
        serves.append((time.perf_counter() - started) * 1000)
        content = response.content
        if response.status_code != 200 or not content.startswith(b"%PDF"):
            raise RuntimeError(f"{URL} : {response.status_code} au lieu du PDF (en cache)")
    return {
        "asks": asks,
        "builds": builds,
        "serves": serves,
        "bytes": len(content),
        "pages": _pages(content, Path(settings.MEDIA_ROOT)),
    }


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.0f} {min(values):8.0f} {max(values):8.0f}"


def render(figures: dict) -> list[str]:
    cold = [a + b for a, b in zip(figures["asks"], figures["builds"], strict=True)]
    return [
        f"3. Portrait PDF de la Creuse ({URL}) — {figures['bytes'] / 1024:.0f} Kio, "
        f"{figures['pages']} pages",
        f"   {'':<52}{'médiane':>8} {'min':>8} {'max':>8}  ms (exécutions)",
        f"   {'à froid : requête (données + tâche créée, 202)':<52}{_spread(figures['asks'])}"
        f"  ({len(cold)})",
        f"   {'à froid : tâche job_run (WeasyPrint + stockage)':<52}{_spread(figures['builds'])}",
        f"   {'à froid : total':<52}{_spread(cold)}",
        f"   {'en cache : requête servant le PDF stocké (200)':<52}{_spread(figures['serves'])}"
        f"  ({len(figures['serves'])})",
    ]


def summary(figures: dict) -> str:
    cold = statistics.median(a + b for a, b in zip(figures["asks"], figures["builds"], strict=True))
    cached = statistics.median(figures["serves"])
    first = figures["asks"][0] + figures["builds"][0]
    return (
        f"Résumé 3 (portrait) — à froid {cold / 1000:.1f} s en médiane (dont la tâche "
        f"{statistics.median(figures['builds']) / 1000:.1f} s ; {first / 1000:.1f} s la "
        f"première fois du processus : vue, WeasyPrint et polices chargés), en cache "
        f"{cached:.0f} ms (×{cold / cached:.0f}), PDF de {figures['bytes'] / 1024:.0f} Kio"
    )
