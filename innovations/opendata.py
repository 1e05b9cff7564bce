"""Open data: what a caller may receive of a project, field by field.

Each source says how open each field of its projects is (Source.field_openness,
defaults in models.sources.DEFAULT_OPENNESS). A project listed by several sources
takes the strictest level of each field. The caller's level: anyone → open data;
a member logged in → commons; a partner API key → partners only; editors →
everything (private). The API and the exports drop every field above it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from .models import (
    DEFAULT_OPENNESS,
    OPENNESS_ORDER,
    Licence,
    Openness,
    PartnerApiKey,
    ProjectLocation,
    ProjectPage,
    ProjectSourceRecord,
    Theme,
)
from .permissions import is_editor

PLATFORM_LICENCE = Licence.ETALAB_2
RANK = {level: position for position, level in enumerate(OPENNESS_ORDER)}
LICENCE_URLS = {
    Licence.ETALAB_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/deed.fr",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
    Licence.RESERVED: "",
}


@dataclass(frozen=True)
class Caller:
    level: str
    api_key: PartnerApiKey | None = None


def api_key_from_request(request) -> PartnerApiKey | None:
    header = request.headers.get("Authorization", "")
    secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
    secret = secret or request.headers.get("X-API-Key", "").strip()
    if not secret:
        return None
    digest = hashlib.sha256(secret.encode()).hexdigest()
    key = (
        PartnerApiKey.objects.filter(key_hash=digest, active=True).select_related("source").first()
    )
    if key is not None:
        PartnerApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def caller_for(request) -> Caller:
    key = api_key_from_request(request)
    if key is not None:
        return Caller(Openness.PARTNERS, key)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Caller(Openness.PRIVATE if is_editor(user) else Openness.COMMONS)
    return Caller(Openness.OPEN)


def allowed(field_level: str, caller_level: str) -> bool:
    return RANK[Openness(field_level)] <= RANK[Openness(caller_level)]


def field_levels(project: ProjectPage) -> dict[str, str]:
    """The level of each field: the strictest among the project's sources."""
    records = [r for r in project.source_records.all() if r.present]
    if not records:
        return dict(DEFAULT_OPENNESS)
    levels = {}
    for name in DEFAULT_OPENNESS:
        levels[name] = max(
            (r.source.openness_of(name) for r in records), key=lambda level: RANK[Openness(level)]
        )
    return levels


def projects_for_open_data():
    """Live public projects with everything the serialiser reads, prefetched."""
    return (
        ProjectPage.objects.live()
        .public()
        .select_related("main_image")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.select_related("domain")),
            "publics",
            "methods",
            "tagged_items__tag",
            "links",
            Prefetch(
                "locations",
                queryset=ProjectLocation.objects.select_related("territory__parent__parent"),
            ),
            Prefetch(
                "source_records", queryset=ProjectSourceRecord.objects.select_related("source")
            ),
        )
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path and path.startswith("/") else path


def serialise(project: ProjectPage, caller_level: str) -> dict:
    """The project as the API and exports give it to a caller of ``caller_level``."""
    from cms.blocks import stream_text

    levels = field_levels(project)
    show = {name: allowed(level, caller_level) for name, level in levels.items()}
    records = [r for r in project.source_records.all() if r.present]
    data: dict = {
        "id": project.pk,
        "url": _absolute(project.url or ""),
        "title": project.title,
        "published_at": project.first_published_at,
        "updated_at": project.last_published_at,
        "sources": [
            {
                "name": r.source.name,
                "url": r.source_url,
                "identifier": r.source_identifier,
                "licence": r.source.licence,
            }
            for r in records
        ],
        "licence": records[0].source.licence if len(records) == 1 else PLATFORM_LICENCE,
    }
    if show["summary"]:
        data["summary"] = project.summary
    if show["description"]:
        data["description"] = stream_text(project.body)
    if show["themes"]:
        data["themes"] = [
            {
                "code": t.code,
                "label": t.label,
                "domain": t.domain.code,
                "domain_label": t.domain.label,
            }
            for t in project.themes.all()
        ]
    if show["publics"]:
        data["publics"] = [{"code": p.code, "label": p.label} for p in project.publics.all()]
    if show["methods"]:
        data["methods"] = [{"code": m.code, "label": m.label} for m in project.methods.all()]
    for name in ("stage", "scale", "year_started", "website"):
        if show[name]:
            data[name] = getattr(project, name) or None
    if show["tags"]:
        data["tags"] = [item.tag.name for item in project.tagged_items.all()]
    if show["links"]:
        data["links"] = [link.url for link in project.links.all()]
    structure = {}
    for name, key in (
        ("structure_name", "name"),
        ("legal_status", "legal_status"),
        ("siret", "siret"),
    ):
        if show[name]:
            structure[key] = getattr(project, name) or None
    if structure:
        data["structure"] = structure
    if show["contact_email"]:
        data["contact_email"] = project.contact_email or None
    if show["locations"]:
        data["locations"] = []
        for location in project.locations.all():
            territory = location.territory
            place = {
                "territory": {
                    "level": territory.level,
                    "code": territory.code,
                    "name": territory.name,
                },
                "departement": territory.departement_code or None,
                "region": territory.region_code or None,
            }
            if show["address"]:
                place["address"] = location.address or None
            if show["coordinates"] and (point := location.point):
                place["latitude"], place["longitude"] = point
            data["locations"].append(place)
    return data


def jsonld(project: ProjectPage, caller_level: str) -> dict:
    """schema.org, with ESSglobal terms (the social and solidarity economy vocabulary)
    where they fit."""
    data = serialise(project, caller_level)
    document: dict = {
        "@context": {
            "@vocab": "https://schema.org/",
            "essglobal": "http://purl.org/essglobal/vocab/v2.0/",
        },
        "@type": ["Project", "essglobal:SSEInitiative"],
        "@id": data["url"],
        "name": data["title"],
        "url": data["url"],
        "dateModified": data["updated_at"].isoformat() if data["updated_at"] else None,
        "license": LICENCE_URLS.get(data["licence"], ""),
    }
    if "summary" in data:
        document["description"] = data["summary"]
    if "themes" in data:
        document["essglobal:hasActivity"] = [t["label"] for t in data["themes"]]
        document["keywords"] = [t["label"] for t in data["themes"]] + data.get("tags", [])
    if data.get("structure"):
        organisation = {"@type": "Organization", "name": data["structure"].get("name")}
        if data["structure"].get("legal_status"):
            organisation["essglobal:hasLegalForm"] = data["structure"]["legal_status"]
        if data["structure"].get("siret"):
            organisation["identifier"] = {
                "@type": "PropertyValue",
                "propertyID": "SIRET",
                "value": data["structure"]["siret"],
            }
        document["parentOrganization"] = organisation
    if data.get("website"):
        document["sameAs"] = [data["website"], *data.get("links", [])]
    if data.get("year_started"):
        document["foundingDate"] = str(data["year_started"])
    if "locations" in data:
        document["location"] = [
            {
                "@type": "Place",
                "name": place["territory"]["name"],
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": place["territory"]["name"],
                    "addressCountry": "FR",
                    **({"streetAddress": place["address"]} if place.get("address") else {}),
                },
                **(
                    {
                        "geo": {
                            "@type": "GeoCoordinates",
                            "latitude": place["latitude"],
                            "longitude": place["longitude"],
                        }
                    }
                    if "latitude" in place
                    else {}
                ),
            }
            for place in data["locations"]
        ]
    if data["sources"]:
        document["isBasedOn"] = [
            {"@type": "Dataset", "name": s["name"], "url": s["url"] or None}
            for s in data["sources"]
        ]
    return document
