"""Open data out: the API and the exports honour each field's openness, per caller."""

from __future__ import annotations

import csv
import io
import json

import pytest

from innovations.models import Openness, ProjectPage, Source, Trust
from innovations.services.imports import api_key_create, api_key_revoke, import_file

pytestmark = pytest.mark.django_db

MAPPING = {
    "key": ["id"],
    "fields": {
        "title": "nom",
        "summary": "resume",
        "website": "site",
        "contact_email": "mail",
    },
    "location": {"commune": "commune", "address": "adresse", "latitude": "lat", "longitude": "lon"},
}
CONTENT = (
    "id,nom,resume,site,mail,commune,adresse,lat,lon\n"
    "1,Épicerie solidaire,Des paniers pour tous,https://epicerie.example,"
    "contact@epicerie.example,Brest,12 rue du Port,48.39,-4.48\n"
)


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire",
        slug="reseau",
        trust=Trust.DIRECT,
        mapping=MAPPING,
        field_openness={"website": Openness.PRIVATE, "coordinates": Openness.COMMONS},
    )


@pytest.fixture
def project(source, editor, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "export.csv"
    path.write_text(CONTENT)
    with django_capture_on_commit_callbacks(execute=True):  # indexed after commit
        import_file(source=source, path=path, user=editor)
    return ProjectPage.objects.get(title="Épicerie solidaire")


def detail(client, project, **headers):
    response = client.get(f"/api/v1/projects/{project.pk}", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_anonymous_caller_gets_open_fields_only(client, project):
    data = detail(client, project)
    assert data["title"] == "Épicerie solidaire"
    assert data["summary"] == "Des paniers pour tous"
    assert data["sources"][0]["name"] == "Réseau Partenaire"
    place = data["locations"][0]
    assert place["territory"]["name"] == "Brest"
    assert "address" not in place  # commons
    assert "latitude" not in place  # commons for this source
    assert "contact_email" not in data  # partners only
    assert "website" not in data  # private for this source


def test_member_gets_the_commons(client, project, user):
    client.force_login(user)
    place = detail(client, project)["locations"][0]
    assert place["address"] == "12 rue du Port"
    assert (place["latitude"], place["longitude"]) == (48.39, -4.48)
    assert "contact_email" not in detail(client, project)


def test_partner_key_unlocks_partner_fields_but_not_private_ones(client, project, source, editor):
    key, secret = api_key_create(source=source, name="Intégration", user=editor)
    data = detail(client, project, authorization=f"Bearer {secret}")
    assert data["contact_email"] == "contact@epicerie.example"
    assert "website" not in data
    assert detail(client, project, x_api_key=secret)["contact_email"]
    api_key_revoke(key=key, user=editor)
    assert "contact_email" not in detail(client, project, authorization=f"Bearer {secret}")
    assert "contact_email" not in detail(client, project, authorization="Bearer faux")


def test_editor_gets_everything(client, project, editor):
    client.force_login(editor)
    assert detail(client, project)["website"] == "https://epicerie.example"


def test_list_honours_openness_and_hides_drafts(client, project, make_project):
    make_project(title="Projet en brouillon", live=False)
    response = client.get("/api/v1/projects", {"q": "epicerie"})
    data = response.json()
    assert data["count"] == 1
    assert data["access_level"] == "open"
    assert "contact_email" not in data["results"][0]
    titles = [r["title"] for r in client.get("/api/v1/projects").json()["results"]]
    assert "Projet en brouillon" not in titles


def test_draft_project_detail_is_not_found(client, make_project):
    draft = make_project(title="Projet en brouillon", live=False)
    assert client.get(f"/api/v1/projects/{draft.pk}").status_code == 404


def test_etag_and_last_modified_allow_conditional_requests(client, project):
    response = client.get(f"/api/v1/projects/{project.pk}")
    assert response["Last-Modified"]
    again = client.get(
        f"/api/v1/projects/{project.pk}", headers={"if-none-match": response["ETag"]}
    )
    assert again.status_code == 304
    later = client.get(
        f"/api/v1/projects/{project.pk}", headers={"if-modified-since": response["Last-Modified"]}
    )
    assert later.status_code == 304


def test_bad_list_parameters_are_a_clear_400(client, project):
    response = client.get("/api/v1/projects", {"page": "zéro"})
    assert response.status_code in (400, 422)


def test_jsonld_uses_schema_org_and_essglobal(client, project):
    response = client.get(f"/api/v1/projects/{project.pk}/jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    assert data["@context"]["essglobal"].startswith("http://purl.org/essglobal")
    assert "essglobal:SSEInitiative" in data["@type"]
    assert data["name"] == "Épicerie solidaire"
    assert "sameAs" not in data  # website is private for this source


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_exports_give_open_fields_even_to_editors(client, project, editor, make_project):
    make_project(title="Projet en brouillon", live=False)
    client.force_login(editor)  # exports are open data whoever downloads them
    rows = list(
        csv.DictReader(
            io.StringIO(_body(client.get("/donnees/projets.csv")).lstrip("\ufeff")), delimiter=";"
        )
    )
    titles = [r["title"] for r in rows] if rows and "title" in rows[0] else None
    assert titles is not None, rows[:1]
    assert "Épicerie solidaire" in titles and "Projet en brouillon" not in titles
    mine = next(r for r in rows if r["title"] == "Épicerie solidaire")
    assert mine["website"] == ""
    assert mine["latitude"] == ""  # coordinates are commons for this source
    data = json.loads(_body(client.get("/donnees/projets.json")))
    exported = next(p for p in data["projects"] if p["title"] == "Épicerie solidaire")
    assert "contact_email" not in exported and "website" not in exported
    geojson = json.loads(_body(client.get("/donnees/projets.geojson")))
    assert "Épicerie solidaire" not in [f["properties"]["title"] for f in geojson["features"]]


def test_dates_are_iso_8601_as_the_schema_says(client, project):
    data = detail(client, project)
    for name in ("published_at", "updated_at"):
        assert "T" in data[name] and " " not in data[name], data[name]
    from datetime import datetime

    assert datetime.fromisoformat(data["published_at"].replace("Z", "+00:00"))
    listed = client.get("/api/v1/projects", {"q": "epicerie"}).json()["results"][0]
    assert "T" in listed["published_at"]
    exported = json.loads(_body(client.get("/donnees/projets.json")))["projects"][0]
    assert "T" in exported["published_at"]


def test_list_counts_only_what_it_can_show_and_heals_the_index(
    client, project, django_capture_on_commit_callbacks
):
    from search.models import IndexQueue

    # Hidden behind the index's back (no signal): its document is now stale.
    ProjectPage.objects.filter(pk=project.pk).update(live=False)
    with django_capture_on_commit_callbacks(execute=True):
        data = client.get("/api/v1/projects", {"q": "épicerie solidaire"}).json()
    assert (data["count"], data["results"], data["pages"]) == (0, [], 1)
    assert not IndexQueue.objects.filter(object_id=str(project.pk)).exists()  # processed
    # The index has healed: the search itself no longer finds the hidden project.
    assert client.get("/api/v1/search", {"q": "épicerie solidaire"}).json()["count"] == 0


def test_schema_states_the_real_bounds_of_the_parameters(client, project):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/projects"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    rayon = params["rayon"]
    assert (rayon["exclusiveMinimum"], rayon["maximum"]) == (0, 500)
    assert (params["lat"]["minimum"], params["lon"]["maximum"]) == (-90, 180)
    assert params["par_page"]["maximum"] == 100
    assert {"400", "422", "429", "503", "304"} <= set(operation["responses"])
    detail_op = schema["paths"]["/api/v1/projects/{project_id}"]["get"]
    assert {"404", "422"} <= set(detail_op["responses"])
    assert params["tri"]["enum"] == ["pertinence", "recents", "alpha", "distance", "essaimage"]
    # What the schema calls invalid is refused with the documented 400 (in French);
    # what it calls valid is accepted.
    refused = client.get("/api/v1/projects", {"lat": 0, "lon": 0, "rayon": 0})
    assert refused.status_code == 400
    assert "« rayon » doit être compris" in refused.json()["detail"]
    ok = client.get("/api/v1/projects", {"lat": 0, "lon": 0, "rayon": 0.5})
    assert ok.status_code == 200
    error = client.get("/api/v1/projects", {"page": "deux"}).json()  # a wrong type: 422
    assert isinstance(error["detail"], list) and error["detail"][0]["loc"]
