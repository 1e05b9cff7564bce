"""Projects written in bulk for the lineage and portrait sections: rows inserted by
the partner imports' fast path (innovations/importing/pages.py ``create_projects``,
one executemany per table), built from the real partner records of ../shared/data
(benchmarks/searchbench/corpus.py), then replication sheets, « Inspiré de » links
and a few hidden replications (drafts, login and group view restrictions), and the
database search index rebuilt (``search.indexing.reindex``)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass

from django.db import transaction

from benchmarks.searchbench.corpus import ROOT, seed_records

BATCH = 500
CREUSE = "23"
CREUSE_SHARE = 0.10  # of the background projects, in the portrait's département


@dataclass
class Lineage:
    original: int  # the page whose lineage is read
    replications: list[int]
    hidden: dict[str, int]  # how many replications each viewer cannot see, by reason
    user_group: int  # the group the signed-in viewer belongs to


def _departements() -> list[dict]:
    path = ROOT / "innovations/data/territories/departements.csv"
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _data(index: int, record: dict, departement: dict, territory_id: int, rng, codes) -> object:
    from innovations.importing.records import ProjectData

    lat = float(departement["latitude"]) + rng.uniform(-0.2, 0.2)
    lon = float(departement["longitude"]) + rng.uniform(-0.2, 0.2)
    title = f"{record['title'][:150]} {index}"
    return ProjectData(
        key=f"E{index}",
        rows=[index],
        values={
            "title": title,
            "summary": (record["text"] or title)[:300],
            "description": record["text"],
            "structure_name": record["title"][:200],
            "legal_status": rng.choice(["association", "cooperative", ""]),
            "siret": "",
            "stage": rng.choice(["idee", "experimentation", "consolidation", "essaimage"]),
            "scale": rng.choice(["commune", "departement", "region"]),
            "year_started": rng.randint(1990, 2026),
            "website": "",
            "contact_email": "",
            "themes": rng.sample(codes["themes"], rng.randint(1, 3)),
            "publics": rng.sample(codes["publics"], rng.randint(0, 2)),
            "methods": [],
            "tags": sorted({t.lower()[:60] for t in record["tags"][:4]}),
            "links": [],
        },
        locations=[
            {
                "territory": f"departement:{departement['code']}",
                "territory_id": territory_id,
                "address": "",
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
            }
        ],
    )


def create_projects(*, count: int, seed: int, first_creuse: bool = False) -> list[int]:
    """``count`` live projects (ids, in order): CREUSE_SHARE of them in the Creuse,
    the first one there too when ``first_creuse``, the others anywhere in France."""
    from innovations.importing.pages import Codes
    from innovations.importing.pages import create_projects as write
    from innovations.models import ProjectIndexPage, Source, Territory, TerritoryLevel

    rng = random.Random(seed)
    records, _origin = seed_records()
    departements = _departements()
    creuse = next(d for d in departements if d["code"] == CREUSE)
    territory_ids = dict(
        Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).values_list("code", "id")
    )
    codes = Codes.load()
    names = {"themes": sorted(codes.themes), "publics": sorted(codes.publics)}
    source, _ = Source.objects.get_or_create(slug="mesure-essaimage", defaults={"name": "Mesure"})
    index = ProjectIndexPage.objects.get()
    ids: list[int] = []
    for offset in range(0, count, BATCH):
        batch = []
        for number in range(offset, min(count, offset + BATCH)):
            in_creuse = (first_creuse and number == 0) or rng.random() < CREUSE_SHARE
            departement = creuse if in_creuse else rng.choice(departements)
            record = records[(seed * 7919 + number) % len(records)]
            territory = territory_ids[departement["code"]]
            batch.append(
                _data(seed * 1_000_000 + number, record, departement, territory, rng, names)
            )
        with transaction.atomic():
            written = write(index=index, source=source, projects=batch, live=True, codes=codes)
        ids.extend(created.pk for created in written)
    return ids


def add_sheets(project_ids: list[int], *, seed: int) -> dict[str, int]:
    """Replication sheets: about 10 % ready to spread, 10 % being modelled, 20 % not
    yet; the rest have none (most projects never fill one)."""
    from innovations.models import ReplicationSheet

    rng = random.Random(seed)
    sheets, counts = [], {"prete": 0, "modelisation": 0, "pas-encore": 0}
    for pk in project_ids:
        draw = rng.random()
        if draw < 0.4:
            readiness = "prete" if draw < 0.1 else "modelisation" if draw < 0.2 else "pas-encore"
            counts[readiness] += 1
            sheets.append(
                ReplicationSheet(
                    project_id=pk,
                    readiness=readiness,
                    transferable="La méthode, le kit de lancement et la charte des bénévoles.",
                    licence="cc-by-sa",
                )
            )
    ReplicationSheet.objects.bulk_create(sheets, batch_size=BATCH)
    return counts


def add_lineage(original: int, replications: list[int], *, seed: int) -> Lineage:
    """``replications`` declare ``original`` as their inspiration; 4 % of them are
    drafts, 10 % behind a login restriction, 4 % restricted to a group (half of them
    the signed-in viewer's group)."""
    from django.contrib.auth.models import Group
    from wagtail.models import Page, PageViewRestriction

    from innovations.models import ProjectLineage

    rng = random.Random(seed)
    ProjectLineage.objects.bulk_create(
        [ProjectLineage(original_id=original, replication_id=pk) for pk in replications],
        batch_size=BATCH,
    )
    mine, other = Group.objects.create(name="Mesure : membres"), Group.objects.create(name="Autre")
    hidden = {"brouillon": 0, "connexion": 0, "groupe du membre": 0, "autre groupe": 0}
    drafts = []
    for pk in replications:
        draw = rng.random()
        if draw < 0.04:
            drafts.append(pk)
            hidden["brouillon"] += 1
        elif draw < 0.14:
            PageViewRestriction.objects.create(
                page_id=pk, restriction_type=PageViewRestriction.LOGIN
            )
            hidden["connexion"] += 1
        elif draw < 0.18:
            group = mine if draw < 0.16 else other
            restriction = PageViewRestriction.objects.create(
                page_id=pk, restriction_type=PageViewRestriction.GROUPS
            )
            restriction.groups.add(group)
            hidden["groupe du membre" if group is mine else "autre groupe"] += 1
    Page.objects.filter(pk__in=drafts).update(live=False, has_unpublished_changes=True)
    return Lineage(original, replications, hidden, mine.pk)


def reindex_database() -> int:
    """The database search index of what the portrait counts (projects, communities,
    events, pages), as ``manage.py search_reindex`` builds it."""
    from search.indexing import reindex

    return reindex(kinds=["project", "community", "event", "page"])
