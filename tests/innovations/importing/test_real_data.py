"""The partner mappings of docs/mappings/ on the real files of ../shared/data/.

Each mapping must compile, and importing its file must account for every record:
created projects, rows skipped as the partner asks, rows merged into a project of
the same key, and rejected rows — each with its row number, field and French reason.
Created projects are live (trusted source), show where they come from, can be
searched, and a second import of the same file changes nothing.

The figures below were computed once from the files and are asserted exactly. The
test territories hold 66 communes only: a row whose commune is unknown there falls
back on its postal code's département, or on its coordinates' département; one
with neither would be rejected as « commune inconnue » (counted apart, and checked
to name a commune missing from the fixture).

The data are not in the repository (see ../shared/data/README.md): without the
folder (or the CARREFOUR_SHARED_DATA environment variable) the module is skipped.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from core.text import fold
from innovations.importing.mapping import compile_mapping
from innovations.importing.readers import read_path
from innovations.importing.records import Referential, prepare
from innovations.models import (
    ImportRun,
    ProjectPage,
    ProjectSourceRecord,
    RunStatus,
    Source,
    Territory,
    TerritoryLevel,
    Trust,
)
from innovations.services.imports import import_file, mapping_parse

SHARED = Path(
    os.environ.get("CARREFOUR_SHARED_DATA") or Path(settings.BASE_DIR).parent / "shared" / "data"
)
MAPPINGS = Path(settings.BASE_DIR) / "docs" / "mappings"

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=(
        f"Données partenaires absentes ({SHARED}) : définissez CARREFOUR_SHARED_DATA "
        "pour vérifier les correspondances de docs/mappings/ sur les vrais fichiers."
    ),
)


@dataclass(frozen=True)
class Dataset:
    slug: str
    name: str
    path: str  # inside SHARED
    records: int
    created: int
    skipped: int = 0
    merged: int = 0  # rows that joined a project of the same key
    # rejected rows by « field: reason » (the reason up to its first « « » or « ( »)
    rejections: dict[str, int] = field(default_factory=dict)
    # rejected only because the test territories lack the commune (see the docstring)
    fixture_rejections: dict[str, int] = field(default_factory=dict)
    searched: str = ""  # the title of a project the search must find


DATASETS = [
    Dataset(
        slug="corse",
        name="Corse — médiation numérique",
        path="partners-mednum/corse/corse.json",
        records=161,
        created=141,
        merged=20,
        searched="Mairie de Corscia",
    ),
    Dataset(
        slug="gironde",
        name="Gironde — médiation numérique",
        path="partners-mednum/gironde/gironde.json",
        records=347,
        created=347,
        searched="Abracodabra",
    ),
    Dataset(
        slug="hub-lo",
        name="Hub Lo — médiation numérique",
        path="partners-mednum/hub-lo/hub-lo.json",
        records=426,
        created=426,
        searched="LA FABRIQUE 18",
    ),
    Dataset(
        slug="la-creuse",
        name="La Creuse — médiation numérique",
        path="partners-mednum/la-creuse/la-creuse.json",
        records=91,
        created=91,
        searched="Dun Le Palestel - La Palette",
    ),
    Dataset(
        slug="maine-et-loire",
        name="Maine-et-Loire — médiation numérique",
        path="partners-mednum/maine-et-loire/maine-et-loire.json",
        records=243,
        created=217,
        skipped=23,
        rejections={"title: titre manquant": 3},
        searched="Association Micro-informatique Allonnaise (AMIA)",
    ),
    Dataset(
        slug="ultra-num",
        name="Ultra Num — médiation numérique à La Réunion",
        path="partners-mednum/ultra-num/ultra-num.json",
        records=155,
        created=153,
        merged=2,
        searched="Académie des savoirs Saint-Denis",
    ),
    Dataset(
        slug="alternatives-pwa",
        name="Alternatives PWA",
        path="alternatives-pwa/elements.json",
        records=700,
        created=659,
        rejections={
            "coordonnées: coordonnées en dehors de la France": 36,
            "key: identifiant manquant": 4,
            "title: titre manquant": 1,
        },
        searched="Agrobio87",
    ),
]


def _spec(dataset: Dataset) -> dict:
    return yaml.safe_load((MAPPINGS / f"{dataset.slug}.yaml").read_text(encoding="utf-8"))


def _category(field_name: str, reason: str) -> str:
    return f"{field_name}: {re.split(r' [«(]', reason, maxsplit=1)[0].strip()}"


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.slug)
def test_mapping_compiles_and_reads_the_file(dataset):
    text = (MAPPINGS / f"{dataset.slug}.yaml").read_text(encoding="utf-8")
    assert text.startswith("# "), "each mapping opens with a comment on the partner's quirks"
    compile_mapping(_spec(dataset))
    assert mapping_parse(text) == _spec(dataset)  # what the admin accepts
    records = read_path(SHARED / dataset.path).records
    assert len(records) == dataset.records == len(json.loads((SHARED / dataset.path).read_text()))


def _rejections_by_reason(run: ImportRun) -> Counter:
    """Rejected rows counted by their first « field: reason »."""
    first: dict[int, str] = {}
    for error in run.row_errors.filter(severity="error").order_by("pk"):
        first.setdefault(error.row, _category(error.field, error.reason))
    return Counter(first.values())


@pytest.mark.django_db
@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.slug)
def test_real_file_imports_with_every_record_accounted_for(
    dataset, projects_index, editor, client, django_capture_on_commit_callbacks
):
    path = SHARED / dataset.path
    source = Source.objects.create(
        name=dataset.name, slug=dataset.slug, trust=Trust.DIRECT, mapping=_spec(dataset)
    )
    expected_rejections = {**dataset.rejections, **dataset.fixture_rejections}
    rejected = sum(expected_rejections.values())

    # The skipped and merged rows are not kept on the run: the same preparation tells.
    prepared = prepare(compile_mapping(source.mapping), read_path(path).records, Referential())
    assert prepared.skipped == dataset.skipped
    assert sum(len(project.rows) - 1 for project in prepared.projects) == dataset.merged

    # Dry run: the figures, the preview, every rejected row — and nothing written.
    dry = import_file(source=source, path=path, dry_run=True, user=editor)
    assert dry.status == RunStatus.DONE, dry.message
    assert dry.file_info["records"] == dataset.records
    assert (dry.created, dry.updated, dry.unchanged, dry.rejected) == (
        dataset.created,
        0,
        0,
        rejected,
    )
    assert len(dry.preview) == min(20, dataset.created)
    assert {item["action"] for item in dry.preview} == {"create"}
    assert not ProjectPage.objects.exists() and not ProjectSourceRecord.objects.exists()

    # The import itself (index updates run once the batches are committed).
    with django_capture_on_commit_callbacks(execute=True):
        run = import_file(source=source, path=path, user=editor)
    assert run.status == RunStatus.DONE, run.message
    assert (run.created, run.updated, run.unchanged, run.unpublished, run.rejected) == (
        dataset.created,
        0,
        0,
        0,
        rejected,
    )
    assert (
        run.created + run.unchanged + run.rejected + dataset.skipped + dataset.merged
        == dataset.records
    )
    # …as the run's own figures say (import_source prints them in one line).
    assert (run.records_read, run.skipped, run.merged, run.held) == (
        dataset.records,
        dataset.skipped,
        dataset.merged,
        0,
    )
    assert run.plan["unpublish"] == [] and run.plan["folded"] == []

    # Every rejected row says where and why, in French.
    errors = list(run.row_errors.filter(severity="error"))
    assert all(e.row >= 1 and e.field and e.reason.strip() for e in errors)
    assert _rejections_by_reason(run) == expected_rejections
    assert _rejections_by_reason(dry) == expected_rejections
    unknown = [e.reason for e in errors if e.reason.startswith("commune inconnue")]
    assert len(unknown) == sum(dataset.fixture_rejections.values())
    for reason in unknown:  # absent from the small territories fixture, not from France
        name = re.search(r"« (?:\d{5} )?(.+?) »", reason).group(1)
        assert not Territory.objects.filter(
            level=TerritoryLevel.COMMUNE, search_name=fold(name)
        ).exists(), reason

    # Created projects are live, placed, and show where they come from.
    projects = ProjectPage.objects.filter(source_records__source=source)
    assert projects.count() == dataset.created
    assert not projects.filter(live=False).exists()
    assert not projects.filter(locations__isnull=True).exists()
    project = projects.get(title=dataset.searched)
    page = client.get(project.url)
    assert page.status_code == 200
    assert f"Projet référencé par {dataset.name}." in " ".join(page.content.decode().split())

    # …and can be found by their title.
    found = client.get("/recherche/", {"q": dataset.searched})
    assert found.status_code == 200
    assert f'href="{project.url}"' in found.content.decode()
    elsewhere = client.get("/recherche/", {"q": "introuvable xyzzy"}).content.decode()
    assert f'href="{project.url}"' not in elsewhere  # the check above means something

    # The same file again: all unchanged, nothing created, updated or unpublished.
    again = import_file(source=source, path=path, user=editor)
    assert again.status == RunStatus.DONE, again.message
    assert (again.created, again.updated, again.unchanged, again.unpublished) == (
        0,
        0,
        dataset.created,
        0,
    )
    assert again.rejected == rejected
    assert ProjectPage.objects.count() == dataset.created
