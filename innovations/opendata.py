"""What a viewer may see of a project, field by field — the one place that decides.

Each source says how open each field of its projects is (Source.field_openness,
defaults in models.sources.DEFAULT_OPENNESS). A project listed by several sources
takes the strictest level of each field; a project proposed on the site (no
partner source) takes SITE_OPENNESS. The viewer's level: anyone → open data; a
member signed in → commons; a valid partner API key → partners; editors,
moderators and the project's own team → everything (private).

Every surface asks ``project_field_access``: the project page and its map data,
its JSON-LD, the API, the exports and feeds (through ``serialise``), the contact
reveal, and the search documents — which are built at the open-data level only
(innovations/search_documents.py), so that search results, suggestions, exports
and feeds drawn from the index never carry more than open data, whoever searches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
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
from .permissions import is_curator, is_editor, is_team_member

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


# A project its team proposed on the site: they typed its « e-mail de contact
# public » themselves, so signed-in members may ask for it (never in the HTML,
# never to anonymous harvesters); everything else as for partner data.
SITE_OPENNESS: dict[str, str] = {**DEFAULT_OPENNESS, "contact_email": Openness.COMMONS}


def field_levels(project: ProjectPage) -> dict[str, str]:
    """The level of each field: the strictest among the project's sources."""
    records = [r for r in project.source_records.all() if r.present] if project.pk else []
    if not records:
        return dict(SITE_OPENNESS)
    levels = {}
    for name in DEFAULT_OPENNESS:
        levels[name] = max(
            (r.source.openness_of(name) for r in records), key=lambda level: RANK[Openness(level)]
        )
    return levels


class FieldAccess(Mapping):
    """Which fields of one project one viewer may see: ``access["summary"]`` (and
    ``{{ fields.summary }}`` in templates) is True or False. Unknown names are
    refused (False), so a new field is hidden until it is given a level."""

    def __init__(self, level: str, levels: dict[str, str]):
        self.level = level
        self._allowed = {name: allowed(value, level) for name, value in levels.items()}

    def __getitem__(self, name: str) -> bool:
        return self._allowed.get(name, False)

    def __iter__(self) -> Iterator[str]:
        return iter(self._allowed)

    def __len__(self) -> int:
        return len(self._allowed)

    def __repr__(self) -> str:
        return f"<FieldAccess {self.level}: {sorted(n for n, ok in self._allowed.items() if ok)}>"


def viewer_level(*, request, project: ProjectPage | None = None) -> str:
    """The openness level of whoever makes ``request``; the project's own team and
    the curators (editors, moderators) see every field of it."""
    caller = caller_for(request)
    if caller.level == Openness.PRIVATE:
        return caller.level
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return caller.level
    if is_curator(user) or (project is not None and project.pk and is_team_member(project, user)):
        return Openness.PRIVATE
    return caller.level


def project_field_access(*, project: ProjectPage, level: str) -> FieldAccess:
    return FieldAccess(level, field_levels(project))


def project_points(
    *, project: ProjectPage, access: FieldAccess
) -> list[tuple[float, float, object]]:
    """(lat, lon, location) of the project's places as this viewer may see them:
    the exact point when coordinates are open to them, else the centre of the
    place's territory (which the open list of places already tells), else none."""
    if not access["locations"]:
        return []
    points = []
    for location in project.locations.all():
        point = location.point if access["coordinates"] else location.territory_point
        if point is not None:
            points.append((point[0], point[1], location))
    return points


def projects_for_open_data():
    """Live public projects with everything the serialiser reads, prefetched."""
    return (
        ProjectPage.objects.live()
        .public()
        .select_related("main_image", "replication_sheet")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.select_related("domain")),
            "replication_sheet__resources__document",
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
    # No request reaches serialise (API, exports, JSON-LD of the page): the default
    # site's address (core/absolute_urls.py), which make run points at the served port.
    from core.absolute_urls import absolute_url

    return absolute_url(path) if path and path.startswith("/") else path


def serialise(project: ProjectPage, caller_level: str) -> dict:
    """The project as the API and exports give it to a caller of ``caller_level``."""
    from cms.blocks import stream_text

    show = project_field_access(project=project, level=caller_level)
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
    from .replication_data import sheet_data

    if (sheet := sheet_data(project, show)) is not None:
        data["replication"] = sheet
    return data


def jsonld(project: ProjectPage, caller_level: str) -> dict:
    """schema.org, with ESSglobal terms (the social and solidarity economy vocabulary)
    where they fit: the same document in the API and embedded in the project page,
    built from ``serialise`` so that it never says more than the caller may see."""
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
        "inLanguage": "fr",
        "isPartOf": {"@type": "WebSite", "name": settings.WAGTAIL_SITE_NAME},
        "dateModified": data["updated_at"].isoformat() if data["updated_at"] else None,
        "license": LICENCE_URLS.get(data["licence"], ""),
    }
    if project.main_image_id:
        try:
            rendition = project.main_image.get_rendition("fill-1200x630|format-jpeg")
        except Exception:  # a missing image file must not break the page or the API
            rendition = None
        if rendition is not None:
            document["image"] = _absolute(rendition.url)
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
    from .replication_data import lineage_data

    lineage = lineage_data(project)
    # What the project stands on: the partners' datasets, and the projects that
    # inspired it (« Inspiré de », issue 16).
    based_on = [
        {"@type": "Dataset", "name": s["name"], "url": s["url"] or None} for s in data["sources"]
    ] + [
        {"@type": "Project", "@id": o["url"], "name": o["title"], "url": o["url"]}
        for o in lineage["inspired_by"]
    ]
    if based_on:
        document["isBasedOn"] = based_on
    if (sheet := data.get("replication")) and sheet.get("readiness"):
        # The replication sheet as a schema.org HowTo about the project: what can be
        # copied, under which licence, for what budget.
        howto = {
            "@type": "HowTo",
            "name": f"Essaimer « {data['title']} »",
            "description": sheet.get("transferable"),
            "license": sheet.get("licence_url"),
            "creativeWorkStatus": sheet.get("readiness_label"),
            "estimatedCost": sheet.get("budget_range"),
        }
        document["subjectOf"] = {k: v for k, v in howto.items() if v}
    return document
