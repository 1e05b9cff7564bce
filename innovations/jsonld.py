"""schema.org description of a project, embedded in its page as JSON-LD."""

from __future__ import annotations

from django.conf import settings

from .models import ProjectPage


def project_jsonld(*, project: ProjectPage, request=None) -> dict:
    url = project.get_full_url(request) if project.pk else ""
    places = []
    for location in project.locations.all():
        territory = location.territory
        place: dict = {
            "@type": "Place",
            "name": str(territory),
            "address": {
                "@type": "PostalAddress",
                "addressLocality": territory.name,
                "addressCountry": "FR",
                **({"streetAddress": location.address} if location.address else {}),
            },
        }
        if point := location.point:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": point[0], "longitude": point[1]}
        places.append(place)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Project",
        "name": project.title,
        "description": project.summary,
        "url": url,
        "keywords": [theme.label for theme in project.themes.all()]
        + [tag.name for tag in project.tags.all()],
        "location": places,
        "inLanguage": "fr",
        "isPartOf": {"@type": "WebSite", "name": settings.WAGTAIL_SITE_NAME},
    }
    if project.year_started:
        data["foundingDate"] = str(project.year_started)
    if project.website:
        data["sameAs"] = [project.website, *[link.url for link in project.links.all()]]
    if project.structure_name:
        organisation: dict = {"@type": "Organization", "name": project.structure_name}
        if project.siret:
            organisation["identifier"] = {
                "@type": "PropertyValue",
                "propertyID": "SIRET",
                "value": project.siret,
            }
        data["parentOrganization"] = organisation
    if project.main_image:
        rendition = project.main_image.get_rendition("fill-1200x630|format-jpeg")
        data["image"] = f"{settings.SITE_URL}{rendition.url}"
    return data
