"""What innovations shows on screens of the apps below it, through their registries
(cms.page_views, accounts.profile_extensions: issue 11), and the registries' rules."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.forms import ProfileForm
from cms import page_views
from innovations.models import Territory, TerritoryLevel
from search.indexing import reindex

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_latest_live_projects_and_their_count(client, make_project):
    make_project(title="Le Jardin partagé des Capucins")
    make_project(title="Un brouillon jamais publié", live=False)
    response = client.get("/")
    assert response.status_code == 200
    assert [p.title for p in response.context["latest_projects"]] == [
        "Le Jardin partagé des Capucins"
    ]
    assert response.context["project_count"] == 1
    assert response.context["projects_page"] is not None
    assert "Le Jardin partagé des Capucins" in response.content.decode()


def test_the_project_index_is_served_by_the_listing_view(client, make_project):
    make_project(title="La Recyclerie du quartier")
    reindex()  # the listing is a search (innovations/views/listing.py)
    response = client.get("/projets/")
    assert response.status_code == 200
    assert response.templates[0].name == "innovations/project_index_page.html"
    assert [p.title for p in response.context["projects"]] == ["La Recyclerie du quartier"]


def test_a_project_page_gets_its_viewer_context(client, make_project):
    project = make_project(title="Le Café des aidants")
    response = client.get(project.url)
    assert response.status_code == 200
    assert {"permissions", "fields", "related_projects"} <= set(response.context.keys())


def test_a_public_profile_lists_the_live_projects_of_its_member(client, make_project, owner):
    make_project(owner=owner, title="La Boutique solidaire")
    make_project(owner=owner, title="Un projet en brouillon", live=False)
    response = client.get(reverse("accounts:profile", kwargs={"user_id": owner.pk}))
    assert [p.title for p in response.context["projects"]] == ["La Boutique solidaire"]


def test_the_profile_form_offers_regions_and_departements_and_grouped_themes(territories, user):
    form = ProfileForm(instance=user.profile)
    levels = {t.level for t in form.fields["home_territory"].queryset}
    assert levels == {TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT}
    assert Territory.objects.filter(level=TerritoryLevel.COMMUNE).exists()
    groups = form.fields["interests"].choices
    assert groups, "themes are grouped by domain"
    assert all(isinstance(choices, list) for _label, choices in groups)


class _Base:
    pass


class _Child(_Base):
    pass


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(page_views, "_contexts", {})
    monkeypatch.setattr(page_views, "_views", {})


def test_page_context_merges_base_classes_first_and_ignores_a_second_registration(
    clean_registry,
):
    def base(page, request):
        return {"who": "base", "base": True}

    def child(page, request):
        return {"who": "child"}

    page_views.register_context(_Child, child)
    page_views.register_context(_Base, base)
    page_views.register_context(_Base, base)
    request = RequestFactory().get("/")
    assert page_views.context_for(page=_Child(), request=request) == {
        "who": "child",
        "base": True,
    }
    assert page_views.context_for(page=_Base(), request=request) == {"who": "base", "base": True}


def test_a_page_view_is_found_for_subclasses_and_is_absent_otherwise(clean_registry):
    def view(request, page):
        return HttpResponse("vue")

    assert page_views.view_for(page=_Child()) is None
    page_views.register_view(_Base, view)
    assert page_views.view_for(page=_Child()) is view
