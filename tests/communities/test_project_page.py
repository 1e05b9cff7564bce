"""A project page shows the communities it is attached to that the viewer may see
(« Communautés » section, through cms.page_views: communities/registrations.py)."""

from __future__ import annotations

import re

import pytest

from communities.models import Community, CommunityProject
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def _section(html: str) -> str:
    match = re.search(
        r'<section aria-labelledby="project-communities-title">.*?</section>', html, re.S
    )
    return match.group(0) if match else ""


@pytest.fixture
def project(make_project):
    project = make_project(title="Repair café de Guéret")
    for name, slug, visibility in [
        ("Économie circulaire", "economie-circulaire", "public"),
        ("Réparateurs privés", "reparateurs", "private"),
        ("Cercle secret", "cercle", "secret"),
    ]:
        community = CommunityFactory(name=name, slug=slug, visibility=visibility)
        CommunityProject.objects.create(community=community, project=project)
    return project


def test_the_project_page_lists_its_public_communities_to_anyone(client, project):
    section = _section(client.get(project.url).content.decode())
    assert "Communautés" in section
    assert 'href="/communautes/economie-circulaire/"' in section
    assert "Réparateurs privés" not in section and "Cercle secret" not in section


def test_members_also_see_their_private_and_secret_communities(client, project):
    member = add_member(Community.objects.get(slug="reparateurs")).user
    add_member(Community.objects.get(slug="cercle"), user=member)
    client.force_login(member)
    section = _section(client.get(project.url).content.decode())
    assert "Réparateurs privés" in section and "Cercle secret" in section


def test_a_project_in_no_community_has_no_section(client, make_project):
    project = make_project(title="Seul")
    assert _section(client.get(project.url).content.decode()) == ""
