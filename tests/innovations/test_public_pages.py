"""What visitors see: the listing, a project page, the contact address, autocomplete."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from innovations.models import ProjectSourceRecord, Source
from search.indexing import reindex

pytestmark = pytest.mark.django_db


def test_listing_is_paginated_and_filters_by_domain_and_region(client, make_project):
    for index in range(26):
        make_project(title=f"Projet numérique {index:02d}")
    make_project(
        title="Jardin partagé de Rennes",
        themes=["alimentation-agriculture.jardins-partages"],
        commune="35238",
    )
    reindex()  # the listing is a search (innovations/views/listing.py)
    first = client.get("/projets/").content.decode()
    assert "27 projets" in first
    assert first.count('class="card"') == 24
    assert "Page 1 sur 2" in first
    second = client.get("/projets/?page=2").content.decode()
    assert second.count('class="card"') == 3

    by_domain = client.get("/projets/?domaine=alimentation-agriculture").content.decode()
    assert "1 projet" in by_domain and "Jardin partagé de Rennes" in by_domain
    by_region = client.get("/projets/?region=53").content.decode()  # Bretagne
    assert "Jardin partagé de Rennes" in by_region
    assert "Projet numérique 00" not in by_region
    nowhere = client.get("/projets/?region=94").content.decode()
    assert "Aucun projet ne correspond à ces filtres." in nowhere


def test_listing_queries_do_not_grow_with_the_number_of_projects(
    client, make_project, django_assert_max_num_queries
):
    for index in range(3):
        make_project(title=f"Petit lot {index}")
    reindex()
    client.get("/projets/")  # warm caches (site root, settings)
    with django_assert_max_num_queries(40) as few:
        client.get("/projets/")
    # Read now: captured_queries slices Django's bounded query log, which the
    # reindex below rolls over.
    ceiling = len(few.captured_queries)
    for index in range(20):
        make_project(title=f"Grand lot {index}")
    reindex()
    client.get("/projets/")  # the search's facet bitmaps reload once after a reindex
    with django_assert_max_num_queries(ceiling):
        client.get("/projets/")


def test_project_page_shows_facts_provenance_map_and_structured_data(client, make_project):
    project = make_project(owner=None, siret="73282932000074", website="https://bus.example.org")
    source = Source.objects.create(name="Réseau des tiers-lieux", slug="tiers-lieux")
    ProjectSourceRecord.objects.create(
        project=project,
        source=source,
        source_identifier="TL-42",
        source_url="https://tl.example.org/42",
    )
    other = Source.objects.create(name="Fondation Exemple", slug="fondation")
    ProjectSourceRecord.objects.create(project=project, source=other, source_identifier="F-1")
    html = client.get(project.url).content.decode()
    assert "<h1" in html and "Le Bus numérique de la Creuse" in html
    assert "Association Creuse Connectée" in html
    assert "SIRET 73282932000074" in html
    assert "Projet référencé par" in html
    assert 'href="https://tl.example.org/42"' in html
    assert re.search(r"Réseau des tiers-lieux</a>\s*et\s*Fondation Exemple", html)
    assert 'href="/themes/numerique/"' in html  # the theme links to its page (issue 14)
    assert 'href="/projets/?region=75"' in html  # territory links to the filtered listing
    points = json.loads(re.search(r'id="project-map-points"[^>]*>(.*?)</script>', html).group(1))
    assert points and points[0]["label"] == "Guéret (23)"
    jsonld = json.loads(re.search(r'id="project-jsonld"[^>]*>(.*?)</script>', html).group(1))
    assert "Project" in jsonld["@type"]
    assert jsonld["name"] == "Le Bus numérique de la Creuse"
    assert jsonld["location"][0]["geo"]["latitude"] == points[0]["lat"]
    assert jsonld["parentOrganization"]["identifier"]["value"] == "73282932000074"
    assert '<meta property="og:title" content="Le Bus numérique de la Creuse">' in html
    # The contact address is not in the page.
    assert "contact@creuse-connectee.example.org" not in html


def test_related_projects_share_themes_or_territory(client, make_project):
    project = make_project(title="Bus numérique")
    make_project(title="Atelier numérique voisin", commune="23096")
    make_project(
        title="Jardin breton", themes=["alimentation-agriculture.jardins-partages"], commune="35238"
    )
    html = client.get(project.url).content.decode()
    related = html.split("Projets proches", 1)[1]
    assert "Atelier numérique voisin" in related
    assert "Jardin breton" not in related


def test_contact_address_is_revealed_on_request_within_a_rate_limit(
    client, make_project, other_user
):
    project = make_project()
    url = reverse("innovations:project_contact", args=[project.pk])
    # A project proposed on the site: its contact is « commons », for signed-in members.
    anonymous = client.post(url)
    assert anonymous.status_code == 302 and "/compte/login/" in anonymous["Location"]
    client.force_login(other_user)
    assert "contact@creuse-connectee.example.org" not in client.get(url).content.decode()
    revealed = client.post(url)
    assert "mailto:contact@creuse-connectee.example.org" in revealed.content.decode()
    assert revealed["X-Robots-Tag"] == "noindex, nofollow"
    from innovations.views import public

    for _ in range(public.CONTACT_REVEALS_PER_HOUR):
        client.post(url)
    limited = client.post(url)
    assert limited.status_code == 429
    assert "contact@creuse-connectee.example.org" not in limited.content.decode()


def test_territory_autocomplete_by_name_postal_code_and_accents(client, territories):
    by_name = client.get("/api/v1/territoires?q=gueret").json()["results"]
    assert by_name[0]["label"] == "Guéret (23)"
    by_postcode = client.get("/api/v1/territoires?q=23000").json()["results"]
    assert [r["code"] for r in by_postcode] == ["23096"]
    homonyms = client.get("/api/v1/territoires?q=valence").json()["results"]
    assert {r["label"] for r in homonyms} >= {"Valence (26)", "Valence (82)"}
    creuse = client.get("/api/v1/territoires?q=creuse").json()["results"]
    assert creuse[0]["label"] == "Creuse (département 23)"
    assert client.get("/api/v1/territoires?q=g").json()["results"] == []


def test_an_owner_with_a_private_profile_is_not_named_to_others(
    client, make_project, owner, other_user
):
    owner.profile.display_name = "Camille Discrète"
    owner.profile.is_public = False
    owner.profile.save()
    project = make_project(owner=owner)
    profile_url = reverse("accounts:profile", kwargs={"user_id": owner.pk})
    for viewer in (None, other_user):
        if viewer:
            client.force_login(viewer)
        html = client.get(project.url).content.decode()
        assert "Camille Discrète" not in html and profile_url not in html
        assert "Un membre du Carrefour (profil privé)" in html
    client.force_login(owner)
    html = client.get(project.url).content.decode()
    assert "Camille Discrète" in html and profile_url in html
    owner.profile.is_public = True
    owner.profile.save()
    client.logout()
    assert profile_url in client.get(project.url).content.decode()
