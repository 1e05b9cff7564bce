"""An editor publishing while the faults happen, through the app's services:
``project_create`` then publishing its revision, and ``project_update`` of a project
published earlier then publishing again — every save goes through the index queue as
on the site. One JSON line per publish on stdout; stops when stdin closes.

    python -m benchmarks.faultsbench.publisher [--every 1.0]   (the stack's environment)
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time


def _stop_on_eof(stop: threading.Event) -> None:
    sys.stdin.read()
    stop.set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=1.0)
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from innovations.models import Territory, TerritoryLevel, Theme
    from innovations.services.projects import (
        LocationInput,
        ProjectInput,
        project_create,
        project_update,
    )

    editor = get_user_model().objects.get(email="editeur@carrefour.test")
    territory = (
        Territory.objects.filter(level=TerritoryLevel.COMMUNE, code="23096").first()
        or Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).first()
    )
    themes = list(Theme.objects.order_by("pk")[:2])
    stop = threading.Event()
    threading.Thread(target=_stop_on_eof, args=(stop,), daemon=True).start()
    published: list = []
    n = 0
    while not stop.is_set():
        started, at = time.monotonic(), time.time()
        op = "modification" if published and n % 2 else "création"
        line = {"at": at, "op": op}
        try:
            data = ProjectInput(
                title=f"Atelier publié pendant les pannes {n}",
                summary=f"Publication {n} faite pendant un scénario de panne (faults.py).",
                structure_name="Banc des pannes",
                themes=themes,
                locations=[LocationInput(territory=territory)],
            )
            if op == "création":
                project = project_create(user=editor, data=data)
            else:
                project = project_update(
                    project=published[n % len(published)], user=editor, data=data
                )
            project.get_latest_revision().publish(user=editor)
            project.refresh_from_db()
            if op == "création":
                published.append(project)
            line.update(ok=True, pk=project.pk)
        except Exception as exc:  # what the editor would have seen
            line.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:200])
        line["seconds"] = round(time.monotonic() - started, 3)
        print(json.dumps(line, ensure_ascii=False), flush=True)
        n += 1
        stop.wait(args.every)


if __name__ == "__main__":
    main()
