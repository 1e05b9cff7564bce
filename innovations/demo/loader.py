"""Demo projects (innovations/demo/projects.json), written for this project: loaded
once by setup_carrefour, skipped when their slug already exists."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ..models import Method as MethodModel
from ..models import (
    ProjectIndexPage,
    ProjectLocation,
    ProjectMember,
    ProjectPage,
    ProjectSourceRecord,
    Source,
    Territory,
    TerritoryLevel,
    Theme,
)
from ..models import Public as PublicModel
from ..services.projects import project_submit

DATA = Path(__file__).resolve().parent / "projects.json"


def _commune(location: dict) -> Territory:
    departement = Territory.objects.get(
        level=TerritoryLevel.DEPARTEMENT, code=location["departement_code"]
    )
    commune, created = Territory.objects.get_or_create(
        level=TerritoryLevel.COMMUNE,
        code=location["commune_code"],
        defaults={
            "name": location["commune_name"],
            "parent": departement,
            "departement_code": departement.code,
            "region_code": departement.region_code,
            "postal_codes": location.get("postal_code") or "",
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
        },
    )
    if not created and not commune.has_point and location.get("latitude") is not None:
        # Communes learn their position from located content (see README).
        commune.latitude, commune.longitude = location["latitude"], location["longitude"]
        commune.save(update_fields=["latitude", "longitude"])
    return commune


def _territory(location: dict) -> Territory:
    if location.get("commune_code"):
        return _commune(location)
    return Territory.objects.get(
        level=TerritoryLevel.DEPARTEMENT, code=location["departement_code"]
    )


def _source(spec: dict) -> Source:
    slug = slugify(spec["name"])[:80]
    source, _ = Source.objects.get_or_create(slug=slug, defaults={"name": spec["name"]})
    return source


def demo_projects_ensure(*, index: ProjectIndexPage, users: dict, publisher) -> list[ProjectPage]:
    specs = json.loads(DATA.read_text(encoding="utf-8"))
    existing = set(index.get_children().values_list("slug", flat=True))
    created: list[ProjectPage] = []
    now = timezone.now()
    for position, spec in enumerate(specs):
        if spec["slug"] in existing:
            continue
        with transaction.atomic():
            owner = users.get(spec["owner"]) if spec.get("owner") else None
            page = ProjectPage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                body=json.dumps(spec["body"]),
                structure_name=spec.get("structure_name", ""),
                legal_status=spec.get("legal_status", ""),
                siret=spec.get("siret", ""),
                stage=spec.get("stage", ""),
                scale=spec.get("scale", ""),
                year_started=spec.get("year_started"),
                sdgs=spec.get("sdgs", []),
                website=spec.get("website", ""),
                contact_email=spec.get("contact_email", ""),
                owner=owner,
                live=False,
            )
            page.themes = list(Theme.objects.filter(code__in=spec.get("themes", [])))
            page.publics = list(PublicModel.objects.filter(code__in=spec.get("publics", [])))
            page.methods = list(MethodModel.objects.filter(code__in=spec.get("methods", [])))
            page.locations = [
                ProjectLocation(
                    territory=_territory(location),
                    address=location.get("address") or "",
                    latitude=location.get("latitude"),
                    longitude=location.get("longitude"),
                    sort_order=order,
                )
                for order, location in enumerate(spec["locations"])
            ]
            page.tags.set(spec.get("tags", []))
            index.add_child(instance=page)
            revision = page.save_revision(user=owner or publisher)
            for key in spec.get("co_editors", []):
                ProjectMember.objects.get_or_create(project=page, user=users[key])
            if spec.get("source"):
                ProjectSourceRecord.objects.get_or_create(
                    source=_source(spec["source"]),
                    source_identifier=spec["source"]["identifier"],
                    defaults={"project": page, "source_url": spec["source"].get("url", "")},
                )
            status = spec.get("status", "live")
            if status == "live":
                revision.publish(user=publisher)
                published = now - timedelta(days=3 * (len(specs) - position))
                ProjectPage.objects.filter(pk=page.pk).update(
                    first_published_at=published, last_published_at=published
                )
            elif status == "moderation":
                project_submit(project=page, user=owner)
            created.append(page)
    return created
