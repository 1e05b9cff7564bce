"""Admin edit benchmark: server time and HTML size of a project's edit page in the
Wagtail admin (/admin/pages/<id>/edit/), with the territory chooser of its places,
side by side with the <select> of every territory it replaced.

    .venv/bin/python benchmarks/admin_edit.py                    # SQLite, 20 requests
    .venv/bin/python benchmarks/admin_edit.py --runs 50 --places 5
    .venv/bin/python benchmarks/admin_edit.py \\
        --database-url postgres://postgres@127.0.0.1:5432/carrefour_bench_admin

A throwaway database with the official territories (the 35 000 communes of the npm
package @etalab/decoupage-administratif, as `make run` loads them), the site tree, an
editor and one published project with --places places. Requests go through Django's
test client, logged in as the editor (the whole middleware stack and Wagtail's view,
no network): the median and 95th percentile of the server time over --runs requests,
after one warm-up request. The old way is the same page with the place's territory
field given back its plain <select> (the panel is swapped for the run, then
restored). Also times the chooser's search, the request its modal makes as an
editor types. Prints figures and whether the targets are met; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from benchmarks.throwaway import throwaway_database  # noqa: E402

TARGET_MS = 500.0
TARGET_KB = 600.0
PLACES = ("23096", "87085", "75056", "69123", "13055", "33063", "31555")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="requests of the new page")
    parser.add_argument("--old-runs", type=int, default=3, help="requests of the old page")
    parser.add_argument("--places", type=int, default=3, choices=range(1, len(PLACES) + 1))
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


def prepare_environment(args) -> str:
    os.environ.pop("ELASTICSEARCH_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"  # no line per background task in the report
    return throwaway_database(args.database_url, prefix="carrefour-bench-admin")


def setup_data(places: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cms.services import site_tree_ensure
    from innovations.models import Territory, TerritoryLevel, Theme
    from innovations.services.projects import LocationInput, ProjectInput, project_create
    from innovations.services.setup import project_index_ensure
    from innovations.territories import default_communes_file, territories_load

    communes = default_communes_file()
    territories_load(communes_path=communes if communes.exists() else None)
    project_index_ensure(home=site_tree_ensure())
    editor = get_user_model().objects.create_user(
        email="editeur@bench.test"  # logged in with force_login, no password
    )
    editor.groups.add(Group.objects.get(name="Éditeurs"))
    chosen = list(
        Territory.objects.filter(level=TerritoryLevel.COMMUNE, code__in=PLACES[:places])
    ) or list(Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT)[:places])
    project = project_create(
        user=editor,
        data=ProjectInput(
            title="Le Bus numérique de la Creuse",
            summary="Un bus aménagé qui sillonne les villages pour accompagner les habitants.",
            description="Le bus s'arrête chaque semaine dans 12 villages.",
            structure_name="Association Creuse Connectée",
            legal_status="association",
            themes=list(Theme.objects.all()[:3]),
            stage="consolidation",
            scale="departement",
            year_started=2019,
            locations=[LocationInput(territory=t) for t in chosen],
        ),
    )
    project.get_latest_revision().publish(user=editor)
    return editor, project, Territory.objects.count(), len(chosen)


def measure(client, url: str, runs: int) -> tuple[list[float], int]:
    response = client.get(url)  # warm-up: templates compiled, caches filled
    assert response.status_code == 200, response.status_code
    size = len(response.content)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return timings, size


def old_select_panels():
    """The places' panels as they were: the territory as a plain <select>."""
    from django import forms
    from wagtail.admin.panels import FieldPanel

    from innovations.models import ProjectLocation

    return [
        FieldPanel("territory", widget=forms.Select),
        *(panel for panel in ProjectLocation.panels if panel.field_name != "territory"),
    ]


def summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def main() -> None:
    args = parse_args()
    database = prepare_environment(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from wagtail.admin.panels.model_utils import get_edit_handler

    from innovations.models import ProjectLocation, ProjectPage

    call_command("migrate", verbosity=0)
    editor, project, territories, places = setup_data(args.places)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(editor)
    url = f"/admin/pages/{project.pk}/edit/"

    new_times, new_size = measure(client, url, args.runs)
    search_times, _size = measure(client, "/admin/territory_chooser/results/?q=saint", args.runs)

    def forget_edit_handlers():  # Wagtail caches the bound panels of each model
        ProjectPage.get_edit_handler.cache_clear()
        get_edit_handler.cache_clear()

    chooser_panels = ProjectLocation.panels
    ProjectLocation.panels = old_select_panels()
    forget_edit_handlers()
    try:
        old_times, old_size = measure(client, url, args.old_runs)
    finally:
        ProjectLocation.panels = chooser_panels
        forget_edit_handlers()

    print(f"Base : {database}")
    print(f"Territoires : {territories} ; projet à {places} lieux ; page {url}")
    print(f"{'':34} {'médiane':>9} {'p95':>9} {'HTML':>10} {'requêtes':>9}")
    rows = (
        ("avant : <select> des territoires", old_times, old_size),
        ("après : sélecteur (chooser)", new_times, new_size),
    )
    for label, timings, size in rows:
        median, p95 = summary(timings)
        print(f"{label:34} {median:7.0f}ms {p95:7.0f}ms {size / 1000:8.0f}kB {len(timings):9d}")
    median, p95 = summary(search_times)
    print(f"{'recherche du sélecteur (« saint »)':34} {median:7.0f}ms {p95:7.0f}ms")
    old_median, _ = summary(old_times)
    new_median, new_p95 = summary(new_times)
    print(f"Gain : ×{old_median / new_median:.0f} en temps, ×{old_size / new_size:.0f} en taille")
    print(
        f"Objectif ≤ {TARGET_MS:.0f} ms (p95) : "
        f"{'atteint' if new_p95 <= TARGET_MS else 'NON ATTEINT'} ({new_p95:.0f} ms) ; "
        f"≤ {TARGET_KB:.0f} kB : "
        f"{'atteint' if new_size / 1000 <= TARGET_KB else 'NON ATTEINT'} "
        f"({new_size / 1000:.0f} kB)"
    )


if __name__ == "__main__":
    main()
