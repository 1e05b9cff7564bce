"""Field openness across every surface: one selector (innovations/opendata.py)
decides which fields of a project a viewer may see, and the page, its JSON-LD and
map data, the API, the contact reveal, the search documents, results, exports and
feeds all ask it. The matrix below is field × level × surface, generated from
tables so that a new surface or field cannot be forgotten."""

from __future__ import annotations

import json
import re

import pytest

from innovations.models import Openness, ProjectPage, Source, Trust
from innovations.services.imports import api_key_create, import_file
from search.indexing import reindex

pytestmark = pytest.mark.django_db

MAPPING = {
    "key": ["id"],
    "fields": {
        "title": "nom",
        "summary": "resume",
        "website": "site",
        "contact_email": "mail",
        "structure_name": "structure",
    },
    "location": {"commune": "commune", "address": "adresse", "latitude": "lat", "longitude": "lon"},
}
CONTENT = (
    "id,nom,resume,site,mail,structure,commune,adresse,lat,lon\n"
    "1,Épicerie du Port,Résumé réservé aux partenaires,https://epicerie.example,"
    "contact@epicerie.example,Coopérative Ponant,Brest,12 rue Secrète,48.39051,-4.48612\n"
)

# What each field looks like in a response, and its level for this source.
FIELDS = {
    "summary": ("Résumé réservé aux partenaires", Openness.PARTNERS),
    "coordinates": ("48.3905", Openness.PRIVATE),
    "address": ("12 rue Secrète", Openness.COMMONS),
    "structure_name": ("Coopérative Ponant", Openness.OPEN),
}
RANK = {Openness.OPEN: 0, Openness.COMMONS: 1, Openness.PARTNERS: 2, Openness.PRIVATE: 3}
VIEWERS = {
    "anonymous": Openness.OPEN,
    "member": Openness.COMMONS,
    "partner": Openness.PARTNERS,
    "editor": Openness.PRIVATE,
}


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Ponant",
        slug="ponant",
        trust=Trust.DIRECT,
        mapping=MAPPING,
        field_openness={name: level for name, (_v, level) in FIELDS.items()}
        | {"contact_email": Openness.PRIVATE},
    )


@pytest.fixture
def project(source, editor, tmp_path, django_capture_on_commit_callbacks):
    from search.backends.database import DatabaseBackend

    DatabaseBackend().clear()
    path = tmp_path / "export.csv"
    path.write_text(CONTENT)
    with django_capture_on_commit_callbacks(execute=True):
        import_file(source=source, path=path, user=editor)
    reindex()
    return ProjectPage.objects.get(title="Épicerie du Port")


@pytest.fixture
def as_viewer(client, source, user, editor):
    """A function: viewer name → headers to send (logging the client in or out)."""
    _key, secret = api_key_create(source=source, name="Intégration", user=editor)

    def login(viewer: str) -> dict:
        client.logout()
        if viewer == "member":
            client.force_login(user)
        elif viewer == "editor":
            client.force_login(editor)
        return {"X-API-Key": secret} if viewer == "partner" else {}

    return login


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode()


def _page(client, project, headers) -> str:
    return _body(client.get(project.url, headers=headers))


def _plain(text: str) -> str:
    """JSON re-written without \\u escapes, so values compare as typed."""
    return json.dumps(json.loads(text), ensure_ascii=False)


def _embedded(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</script>', html, re.S)
    return _plain(found.group(1)) if found else ""


def _jsonld(client, project, headers) -> str:
    return _embedded(_page(client, project, headers), "project-jsonld")


def _map(client, project, headers) -> str:
    return _embedded(_page(client, project, headers), "project-map-points")


def _api(client, project, headers) -> str:
    return _plain(_body(client.get(f"/api/v1/projects/{project.pk}", headers=headers)))


def _api_list(client, project, headers) -> str:
    return _plain(_body(client.get("/api/v1/projects", {"q": "epicerie"}, headers=headers)))


def _api_jsonld(client, project, headers) -> str:
    return _plain(_body(client.get(f"/api/v1/projects/{project.pk}/jsonld", headers=headers)))


# Surfaces that serve the viewer's own level.
PER_VIEWER = {
    "page": _page,
    "jsonld": _jsonld,
    "map": _map,
    "api": _api,
    "api_list": _api_list,
    "api_jsonld": _api_jsonld,
}
# Surfaces drawn from the search index, which holds open data only, whoever asks,
# and listings of project cards (open data too).
FROM_INDEX = {
    "listing": "/projets/",
    "home": "/",
    "search_api": "/api/v1/search?q=epicerie",
    "search_page": "/recherche/?q=epicerie&vue=carte",
    "suggestions": "/recherche/suggestions?q=epic",
    "export_csv": "/recherche/export.csv?q=epicerie",
    "export_geojson": "/recherche/export.geojson?q=epicerie",
    "feed_atom": "/recherche/flux.atom?q=epicerie",
    "feed_rss": "/recherche/flux.rss?q=epicerie",
    "opendata_csv": "/donnees/projets.csv",
    "opendata_json": "/donnees/projets.json",
    "opendata_geojson": "/donnees/projets.geojson",
}


def _expected_visible(field: str, viewer: str) -> bool:
    return RANK[FIELDS[field][1]] <= RANK[VIEWERS[viewer]]


@pytest.mark.parametrize("viewer", sorted(VIEWERS))
@pytest.mark.parametrize("surface", sorted(PER_VIEWER))
def test_each_field_reaches_a_viewer_only_at_its_level(client, project, as_viewer, surface, viewer):
    headers = as_viewer(viewer)
    body = PER_VIEWER[surface](client, project, headers)
    for field, (value, _level) in FIELDS.items():
        if surface == "map" and field != "coordinates":
            continue  # the map carries places only
        assert (value in body) == _expected_visible(field, viewer), (field, surface, viewer)


@pytest.mark.parametrize("viewer", sorted(VIEWERS))
@pytest.mark.parametrize("surface", sorted(FROM_INDEX))
def test_index_surfaces_carry_open_data_only_whoever_searches(
    client, project, as_viewer, surface, viewer
):
    headers = as_viewer(viewer)
    response = client.get(FROM_INDEX[surface], headers=headers)
    body = _body(response).replace("<mark>", "").replace("</mark>", "")
    if "json" in response["Content-Type"] and not surface.startswith("opendata_json"):
        body = _plain(body)
    # Suggestions carry titles only; the open-data GeoJSON has no feature without
    # open coordinates.
    if surface not in ("suggestions", "opendata_geojson"):
        assert "Coopérative Ponant" in body or "Épicerie du Port" in body, surface
    for field in ("summary", "coordinates", "address"):
        assert FIELDS[field][0] not in body, (field, surface, viewer)
    assert "contact@epicerie.example" not in body


def test_the_search_document_holds_only_open_fields(project):
    from search.models import SearchEntry

    entry = SearchEntry.objects.get(key=f"project:{project.pk}")
    stored = json.dumps(
        {"summary": entry.summary, "body": entry.body, "display": entry.display},
        ensure_ascii=False,
    )
    assert "Résumé réservé" not in stored and "48.3905" not in stored
    assert "Coopérative Ponant" in entry.body  # open: searchable
    # Without its coordinates, the place is shown at its territory's centre.
    assert entry.display["points"] and entry.display["points"][0][0] != 48.39051


@pytest.mark.parametrize(
    ("viewer", "status"), [("anonymous", 404), ("member", 404), ("editor", 200)]
)
def test_contact_reveal_honours_the_contact_level(client, project, as_viewer, viewer, status):
    as_viewer(viewer)
    response = client.post(f"/projets-actions/{project.pk}/contact/")
    assert response.status_code == status
    assert ("contact@epicerie.example" in response.content.decode()) == (status == 200)


def test_default_levels_keep_the_street_address_for_members(client, make_project, user):
    """A project proposed on the site: address « commons » by default."""
    from innovations.models import Territory
    from innovations.services.projects import LocationInput

    place = LocationInput(
        territory=Territory.objects.get(code="23096", level="commune"),
        address="7 place de la Mairie",
    )
    project = make_project(locations=[place])
    page = client.get(project.url).content.decode()
    assert "7 place de la Mairie" not in page  # neither in the HTML nor its JSON-LD
    client.force_login(user)
    assert "7 place de la Mairie" in client.get(project.url).content.decode()
