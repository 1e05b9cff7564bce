"""The project edit screen of the Wagtail admin: a project's places are chosen with a
territory chooser (a searchable modal), never a <select> of every commune."""

from __future__ import annotations

import json
import re

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from innovations.models import ProjectPage, Territory, TerritoryLevel
from innovations.services.projects import LocationInput

pytestmark = pytest.mark.django_db

PLACES = ("23096", "87085", "75056")


@pytest.fixture
def project_with_three_places(make_project):
    communes = [Territory.objects.get(level=TerritoryLevel.COMMUNE, code=c) for c in PLACES]
    return make_project(locations=[LocationInput(territory=t) for t in communes])


def test_the_edit_page_has_no_option_per_territory(client, editor, project_with_three_places):
    client.force_login(editor)
    response = client.get(f"/admin/pages/{project_with_three_places.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(html.encode()) < 600_000
    # Each place's territory is a hidden input behind a « Choisir » button…
    assert not re.search(r'<select[^>]*name="locations-\d+-territory"', html)
    for index, code in enumerate(PLACES):
        territory = Territory.objects.get(level=TerritoryLevel.COMMUNE, code=code)
        assert re.search(
            rf'<input[^>]*type="hidden"[^>]*name="locations-{index}-territory"[^>]*'
            rf'value="{territory.pk}"',
            html,
        ) or re.search(
            rf'<input[^>]*name="locations-{index}-territory"[^>]*type="hidden"[^>]*'
            rf'value="{territory.pk}"',
            html,
        )
        assert str(territory) in html  # the chosen place is named
    # …so no list of territories anywhere in the page: the <option>s left are the
    # other fields' (thèmes, publics, statut, stade…), not one per territory (the
    # territories of the test fixture alone would be 185 per place).
    assert html.count("<option") < 150
    assert "Aubusson (23)" not in html  # a commune of the fixture that no place uses


def test_the_chooser_searches_with_the_site_autocomplete(client, editor, territories):
    client.force_login(editor)
    response = client.get("/admin/territory_chooser/", {"q": "gueret"})
    assert response.status_code == 200
    html = json.loads(response.content)["html"]
    assert "Guéret (23)" in html
    # Postal codes and INSEE codes too, as on the public forms.
    results = client.get("/admin/territory_chooser/results/", {"q": "23000"}).content.decode()
    assert "Guéret (23)" in results
    # Without a query: régions and départements, never the 35 000 communes.
    listing = json.loads(client.get("/admin/territory_chooser/").content)["html"]
    assert "Nouvelle-Aquitaine" in listing
    assert "Guéret" not in listing
    gueret_commune = Territory.objects.get(level=TerritoryLevel.COMMUNE, code="23096")
    chosen = client.get(f"/admin/territory_chooser/chosen/{gueret_commune.pk}/")
    assert json.loads(chosen.content)["result"]["title"] == "Guéret (23)"


def _edit_data(project: ProjectPage, *, territories: list[Territory]) -> dict:
    """The edit form as the admin posts it: the project's places replaced by
    ``territories`` (each one the hidden input the chooser fills)."""
    existing = [
        {"id": location.pk, "territory": location.territory_id, "DELETE": "1"}
        for location in project.locations.all()
    ]
    return nested_form_data(
        {
            "title": project.title,
            "slug": project.slug,
            "seo_title": "",
            "search_description": "",
            "listing_summary": "",
            "summary": project.summary,
            "body": streamfield([]),
            "structure_name": project.structure_name,
            "legal_status": project.legal_status,
            "siret": "",
            "themes": [t.pk for t in project.themes.all()],
            "publics": [p.pk for p in project.publics.all()],
            "stage": project.stage,
            "scale": project.scale,
            "year_started": project.year_started or "",
            "sdgs": "[]",
            "tags": "",
            "locations": inline_formset(
                [
                    *existing,
                    *(
                        {"territory": t.pk, "address": "", "latitude": "", "longitude": ""}
                        for t in territories
                    ),
                ],
                initial=len(existing),
            ),
            "website": "",
            "links": inline_formset([]),
            "contact_email": project.contact_email,
            "owner": "",
        }
    )


def test_saving_a_place_chosen_with_the_chooser(client, editor, project_with_three_places):
    project = project_with_three_places
    client.force_login(editor)
    limoges = Territory.objects.get(level=TerritoryLevel.COMMUNE, code="87085")
    creuse = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="23")
    response = client.post(
        f"/admin/pages/{project.pk}/edit/", _edit_data(project, territories=[limoges, creuse])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = ProjectPage.objects.get(pk=project.pk).get_latest_revision_as_object()
    assert [location.territory for location in draft.locations.all()] == [limoges, creuse]
