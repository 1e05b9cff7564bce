"""An import run by the background worker during a fault, and what it left: the
run's and job's counters against the projects and source records really written
(a half-written batch shows as a count that is neither a whole number of batches
nor the total; a record imported twice as pages with two records, or more pages
created than identifiers)."""

from __future__ import annotations

import time

import psycopg

from benchmarks.realtimebench.system import wait_for as wait_until

from .django_side import call

BATCH = 500  # innovations/importing/engine.py: one transaction per batch
DONE = ("done", "failed", "cancelled")


def start(stack, *, records: int, label: str) -> dict:
    return call(stack, "import_start", records=records, label=label)


def progress(database_url: str, run: int) -> tuple[str, int, int] | None:
    """(status, processed, total) read straight from the database, or None when it
    does not answer (cheaper than a Django subprocess: polled every 0.2 s)."""
    try:
        with psycopg.connect(database_url, connect_timeout=2) as connection:
            row = connection.execute(
                "SELECT status, processed, total FROM innovations_importrun WHERE id = %s", [run]
            ).fetchone()
    except psycopg.Error:
        return None
    return (row[0], row[1], row[2]) if row else None


def wait_written(database_url: str, run: int, *, at_least: int, timeout: float = 180):
    """Until the run has committed ``at_least`` records (and is still running)."""

    def far_enough():
        state = progress(database_url, run)
        return state if state and state[0] == "running" and state[1] >= at_least else None

    return wait_until(far_enough, timeout=timeout, every=0.2)


def job_status(database_url: str, job: int) -> str | None:
    try:
        with psycopg.connect(database_url, connect_timeout=2) as connection:
            row = connection.execute("SELECT status FROM jobs_job WHERE id = %s", [job]).fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def wait_finished(stack, database_url: str, ids: dict, *, timeout: float) -> tuple[dict, float]:
    """Until the job is over (done, failed, cancelled); then its whole state."""
    started = time.monotonic()
    wait_until(lambda: job_status(database_url, ids["job"]) in DONE, timeout=timeout, every=1.0)
    elapsed = time.monotonic() - started
    state = call(stack, "import_state", **ids)
    return state, elapsed


def print_state(state: dict, records: int, *, fault_at: float) -> None:
    """``fault_at``: when the fault struck (time.time()), to tell when the job resumed."""
    s = state
    print("Import en tâche de fond :")
    print(
        f"  fichier {records} enregistrements ; run {s['run_status']} "
        f"(lus {s['run_records_read']}, à écrire {s['run_total']}, traités {s['run_processed']}, "
        f"créés {s['run_created']}, inchangés {s['run_unchanged']}, rejetés {s['run_rejected']}) ; "
        f"tâche {s['job_status']} après {s['job_attempts']} tentative(s)"
    )
    print(
        f"  écrit en base : {s['pages_created']} projets créés, {s['source_records']} "
        f"référencements ({s['distinct_identifiers']} identifiants distincts), "
        f"{s['pages_of_source']} projets de la source, {s['pages_with_two_records']} en double"
    )
    if s["run_message"] or s["job_message"]:
        print(f"  message : {s['run_message'] or s['job_message']}")
    if s["job_attempts"] > 1 and s["job_started_at"] and s["job_finished_at"]:
        print(
            f"  reprise (jobs_recover, tentative {s['job_attempts']}) "
            f"{s['job_started_at'] - fault_at:.0f} s après la panne, import terminé "
            f"{s['job_finished_at'] - fault_at:.0f} s après"
        )


def check(verdict, state: dict, records: int, *, must_finish: bool) -> None:
    """No half batch, no duplicate; done (or failed cleanly, unless ``must_finish``)."""
    s = state
    expected = records - s["run_rejected"]
    written = s["source_records"]
    verdict.check(
        s["pages_created"] == written == s["distinct_identifiers"] == s["pages_of_source"],
        f"import : {s['pages_created']} projets créés pour {written} référencements "
        f"({s['distinct_identifiers']} identifiants)",
    )
    verdict.check(s["pages_with_two_records"] == 0, "import : projets référencés deux fois")
    if s["job_status"] == "done":
        verdict.check(
            written == expected, f"import terminé avec {written} projets sur {expected} attendus"
        )
        counted = (
            s["run_created"]
            + s["run_updated"]
            + s["run_unchanged"]
            + s["run_rejected"]
            + s["run_held_merged_skipped"]
        )
        verdict.check(
            counted == s["run_records_read"],
            f"rapport d'import faux : créés + mis à jour + inchangés + rejetés… = {counted} "
            f"pour {s['run_records_read']} enregistrements lus",
        )
    else:
        verdict.check(
            not must_finish, f"import non terminé : tâche {s['job_status']}, run {s['run_status']}"
        )
        verdict.check(
            written % BATCH == 0 or written == expected,
            f"import arrêté au milieu d'un lot ({written} projets écrits, lots de {BATCH})",
        )
        verdict.check(s["job_status"] in DONE, f"import resté « {s['job_status']} »")
