"""Writing imported projects as Wagtail pages, many at a time.

Why not `index.add_child()` per project: it costs tens of milliseconds each (tree
lock, revision, signals); a partner feed of 30 000 projects would take an hour.
Here a batch of pages gets its tree paths computed once, and its rows — pages,
projects, relations, source records — are inserted with one `executemany` per
table, inside the caller's transaction. Pages are created live (trusted source) or
as drafts sent to moderation. The Carrefour's search index is refreshed by the run;
Wagtail's own admin search (the page explorer's search box) learns of imported
pages through `manage.py update_index` (see README, « Imports des partenaires »).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page

from cms.blocks import stream_from_text, stream_text
from core.text import fold

from ..models import (
    Method,
    ProjectIndexPage,
    ProjectLink,
    ProjectLocation,
    ProjectPage,
    ProjectSourceRecord,
    ProjectTag,
    Public,
    Theme,
)
from .records import ProjectData

PLAIN_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "URLField",
    "EmailField",
    "BooleanField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "FloatField",
    "ForeignKey",
}


@dataclass(frozen=True)
class Created:
    """A project just written (its id is all the callers need)."""

    pk: int


STEP_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RELATIONS = ("themes", "publics", "methods")
THROUGH_TARGETS = {"themes": "theme_id", "publics": "public_id", "methods": "method_id"}
SCALAR_FIELDS = (
    "title",
    "summary",
    "structure_name",
    "legal_status",
    "siret",
    "stage",
    "scale",
    "year_started",
    "website",
    "contact_email",
)


def _step(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = STEP_ALPHABET[rest] + out
    return out.rjust(Page.steplen, "0")


def _collapse(text: str) -> str:
    return " ".join((text or "").split())


def description_text(body) -> str:
    """The comparable text of a description — a page's StreamField or the blocks an
    import writes — through the one conversion of cms.blocks, so that what an import
    wrote reads back the same (a line break is not a local edit); spaces collapsed."""
    return _collapse(stream_text(body, markup=True))


def comparable_values(page: ProjectPage) -> dict:
    """A project's current field values in the form imports compare (to notice
    fields edited on the Carrefour since the last import)."""
    return {
        **{
            name: getattr(page, name) or ("" if name != "year_started" else None)
            for name in SCALAR_FIELDS
        },
        "description": description_text(page.body),
        "themes": sorted(t.code for t in page.themes.all()),
        "publics": sorted(p.code for p in page.publics.all()),
        "methods": sorted(m.code for m in page.methods.all()),
        "tags": sorted(t.name for t in page.tags.all()),
        "links": [link.url for link in page.links.all()],
        "locations": sorted(
            [
                f"{loc.territory.level}:{loc.territory.code}",
                loc.address,
                loc.latitude,
                loc.longitude,
            ]
            for loc in page.locations.all()
        ),
    }


def imported_values(data: ProjectData, *, blocks: list | None = None) -> dict:
    """What a project created from ``data`` would give in ``comparable_values``."""
    if blocks is None:
        blocks = stream_from_text(data.values["description"])
    values = {name: data.values.get(name) for name in SCALAR_FIELDS}
    values["year_started"] = data.values.get("year_started")
    for name in SCALAR_FIELDS:
        if name != "year_started" and values[name] is None:
            values[name] = ""
    return {
        **values,
        "description": description_text(blocks),
        "themes": sorted(data.values["themes"]),
        "publics": sorted(data.values["publics"]),
        "methods": sorted(data.values["methods"]),
        "tags": sorted(data.values["tags"]),
        "links": list(data.values["links"]),
        "locations": sorted(
            [loc["territory"], loc["address"], loc["latitude"], loc["longitude"]]
            for loc in data.locations
        ),
    }


@dataclass
class Codes:
    themes: dict[str, int]
    publics: dict[str, int]
    methods: dict[str, int]

    @classmethod
    def load(cls) -> Codes:
        return cls(
            themes=dict(Theme.objects.values_list("code", "id")),
            publics=dict(Public.objects.values_list("code", "id")),
            methods=dict(Method.objects.values_list("code", "id")),
        )


def _tag_ids(names: set[str]) -> dict[str, int]:
    existing = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    missing = sorted(names - set(existing))
    if missing:
        taken = set(
            Tag.objects.values_list("slug", flat=True).filter(
                slug__in=[slugify(n) for n in missing]
            )
        )
        new = []
        for name in missing:
            slug, counter = slugify(name)[:90] or "tag", 2
            while slug in taken:
                slug = f"{slugify(name)[:85]}-{counter}"
                counter += 1
            taken.add(slug)
            new.append(Tag(name=name, slug=slug))
        Tag.objects.bulk_create(new, ignore_conflicts=True)
        existing.update(Tag.objects.filter(name__in=missing).values_list("name", "id"))
    return existing


def taken_slugs(siblings, bases: list[str]) -> set[str]:
    """The slugs among ``siblings`` (a page queryset) that numbering ``bases``
    (``base``, ``base-2``, ``base-3``…) can meet: each base itself, and the numbered
    forms of the bases already taken or repeated. Not every sibling's slug: under an
    index of 300 000 projects that read cost 0.65 s per batch of 500, an import
    quadratic in the size of the site."""
    unique = list(dict.fromkeys(bases))
    taken: set[str] = set()
    for start in range(0, len(unique), 500):
        taken.update(
            siblings.filter(slug__in=unique[start : start + 500]).values_list("slug", flat=True)
        )
    repeated = {base for base, count in Counter(bases).items() if count > 1}
    numbered = sorted((taken & set(unique)) | repeated)
    for start in range(0, len(numbered), 50):
        prefixes = Q()
        for base in numbered[start : start + 50]:
            prefixes |= Q(slug__startswith=f"{base}-")
        taken.update(siblings.filter(prefixes).values_list("slug", flat=True))
    return taken


def _unique_slugs(index: ProjectIndexPage, titles: list[str]) -> list[str]:
    bases = [slugify(fold(title))[:70] or "projet" for title in titles]
    siblings = Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
    taken = taken_slugs(siblings, bases)
    slugs = []
    for base in bases:
        slug, counter = base, 2
        while slug in taken:
            slug = f"{base}-{counter}"
            counter += 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _insert_rows(model, rows: list[dict], *, local: bool = False) -> None:
    """Insert ``rows`` (attribute name → value) into ``model``'s own table with one
    executemany. Columns absent from the rows take the field's default, converted
    once for the whole batch: building 500 Wagtail page objects to bulk_create them
    costs more than the rest of an import."""
    fields = [
        f
        for f in (model._meta.local_concrete_fields if local else model._meta.concrete_fields)
        if not (f.primary_key and f.attname not in rows[0])
    ]
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in rows[0]
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Text, numbers and booleans go to the driver as they are; the other types
    # (dates, JSON, UUID) through their field's conversion.
    plain = {f.attname for f in fields if f.get_internal_type() in PLAIN_TYPES}
    prep = [(f.attname, None if f.attname in plain else f, f.attname in rows[0]) for f in fields]
    values = [
        tuple(
            (row[name] if field is None else field.get_db_prep_save(row[name], connection))
            if present
            else defaults[name]
            for name, field, present in prep
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})",
            values,
        )


def create_projects(
    *, index: ProjectIndexPage, source, projects: list[ProjectData], live: bool, codes: Codes
) -> list[Created]:
    """Create ``projects`` under ``index`` (caller holds a transaction)."""
    if not projects:
        return []
    index = ProjectIndexPage.objects.select_for_update().get(pk=index.pk)
    last = (
        Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    position = int(last[-Page.steplen :], 36) if last else 0
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(ProjectPage)
    slugs = _unique_slugs(index, [p.values["title"] for p in projects])
    rows = []
    bodies = [stream_from_text(data.values["description"]) for data in projects]
    for offset, (data, slug, blocks) in enumerate(zip(projects, slugs, bodies, strict=True)):
        values = data.values
        rows.append(
            {
                "path": index.path + _step(position + offset + 1),
                "depth": index.depth + 1,
                "numchild": 0,
                "title": values["title"],
                "draft_title": values["title"],
                "slug": slug,
                "content_type_id": content_type.pk,
                "live": live,
                "has_unpublished_changes": not live,
                "url_path": f"{index.url_path}{slug}/",
                "locale_id": index.locale_id,
                "translation_key": uuid.uuid4(),
                "first_published_at": now if live else None,
                "last_published_at": now if live else None,
                "latest_revision_created_at": now,
                "summary": values["summary"],
                "body": json.dumps(blocks, ensure_ascii=False),
                "structure_name": values["structure_name"],
                "legal_status": values["legal_status"],
                "siret": values["siret"],
                "stage": values["stage"],
                "scale": values["scale"],
                "year_started": values["year_started"],
                "sdgs": [],
                "website": values["website"],
                "contact_email": values["contact_email"],
            }
        )
    _insert_rows(Page, rows)
    ids = dict(
        Page.objects.filter(path__in=[row["path"] for row in rows]).values_list("path", "id")
    )
    for row in rows:
        row["page_ptr_id"] = ids[row["path"]]
    _insert_rows(ProjectPage, rows, local=True)
    pages = [Created(pk=row["page_ptr_id"]) for row in rows]
    Page.objects.filter(pk=index.pk).update(numchild=index.numchild + len(pages))
    _write_relations(pages, projects, codes)
    _insert_rows(
        ProjectSourceRecord,
        [
            {
                "project_id": page.pk,
                "source_id": source.pk,
                "source_identifier": data.key,
                "source_url": data.values.get("source_url", ""),
                "content_hash": data.content_hash,
                "imported_values": imported_values(data, blocks=blocks),
                "present": True,
                "last_seen_at": now,
            }
            for page, data, blocks in zip(pages, projects, bodies, strict=True)
        ],
    )
    return pages


def _write_relations(pages, projects: list[ProjectData], codes: Codes) -> None:
    pairs = list(zip(pages, projects, strict=True))
    for relation in RELATIONS:
        ids = getattr(codes, relation)
        target = THROUGH_TARGETS[relation]
        _insert_many(
            getattr(ProjectPage, relation).through,
            [
                {"projectpage_id": page.pk, target: ids[code]}
                for page, data in pairs
                for code in data.values[relation]
                if code in ids
            ],
        )
    tag_ids = _tag_ids({tag for data in projects for tag in data.values["tags"]})
    _insert_many(
        ProjectTag,
        [
            {"content_object_id": page.pk, "tag_id": tag_ids[tag]}
            for page, data in pairs
            for tag in data.values["tags"]
        ],
    )
    _insert_many(
        ProjectLocation,
        [
            {
                "page_id": page.pk,
                "territory_id": location["territory_id"],
                "address": location["address"],
                "latitude": location["latitude"],
                "longitude": location["longitude"],
                "sort_order": order,
            }
            for page, data in pairs
            for order, location in enumerate(data.locations)
        ],
    )
    _insert_many(
        ProjectLink,
        [
            {"page_id": page.pk, "url": url, "sort_order": order}
            for page, data in pairs
            for order, url in enumerate(data.values["links"])
        ],
    )


def _insert_many(model, rows: list[dict]) -> None:
    if rows:
        _insert_rows(model, rows)


def replace_relations(page: ProjectPage, data: ProjectData, fields: set[str], codes: Codes) -> None:
    """Rewrite the relations named in ``fields`` from ``data`` (a partner update)."""
    for relation in RELATIONS:
        if relation in fields:
            getattr(ProjectPage, relation).through.objects.filter(projectpage_id=page.pk).delete()
    if "tags" in fields:
        ProjectTag.objects.filter(content_object_id=page.pk).delete()
    if "locations" in fields:
        ProjectLocation.objects.filter(page_id=page.pk).delete()
    if "links" in fields:
        ProjectLink.objects.filter(page_id=page.pk).delete()
    trimmed = ProjectData(
        key=data.key,
        rows=data.rows,
        values={
            **data.values,
            **{r: (data.values[r] if r in fields else []) for r in (*RELATIONS, "tags", "links")},
        },
        locations=data.locations if "locations" in fields else [],
    )
    _write_relations([page], [trimmed], codes)
