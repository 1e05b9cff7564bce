"""No N+1 on the main pages (issue 15): each page is read twice, with a few items
and then with several times more, and must not make more queries the second time
(beyond a small allowance) — plus a ceiling on the count itself, so that a new
query per request is a decision, not an accident."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CommunityFactory, EventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
COMMUNES = ["23096", "29019", "75056", "69123", "13055"]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _projects(make_project, count: int, start: int = 0) -> list:
    return [
        make_project(
            title=f"Projet de test numéro {start + i}",
            commune=COMMUNES[i % len(COMMUNES)],
            themes=["numerique.inclusion-numerique", "solidarites.aide-alimentaire"],
        )
        for i in range(count)
    ]


def _grows_not(client, url: str, add, *, ceiling: int, allowance: int = 2) -> tuple[int, int]:
    few = _queries(client, url)
    add()
    many = _queries(client, url)
    assert many <= few + allowance, f"{url}: {few} requêtes, puis {many} avec plus d'éléments"
    assert many <= ceiling, f"{url}: {many} requêtes (plafond {ceiling})"
    print(f"{url}: {few} → {many} requêtes")
    return few, many


def test_home_page(client, make_project):
    _projects(make_project, 3)
    # The first request warms the per-process caches (site root, taxonomy labels).
    client.get("/")
    _grows_not(client, "/", lambda: _projects(make_project, 9, start=3), ceiling=25)


def test_search_with_text_and_facets(client, make_project):
    _projects(make_project, 3)
    url = "/recherche/?q=projet&theme=numerique"
    client.get(url)
    _grows_not(client, url, lambda: _projects(make_project, 12, start=3), ceiling=25)


def test_project_page(client, make_project, editor):
    from innovations.models import ProjectMember

    project = _projects(make_project, 1)[0]
    client.get(project.url)

    def add_team():
        for i in range(6):
            ProjectMember.objects.create(
                project=project, user=UserFactory(email=f"equipe{i}@exemple.org")
            )

    _grows_not(client, project.url, add_team, ceiling=55)


def test_community_page(client, site_pages):
    community = CommunityFactory(slug="cuisine-solidaire")
    MembershipFactory.create_batch(3, community=community)
    EventFactory.create_batch(2, community=community)
    url = reverse("communities:detail", kwargs={"slug": community.slug})
    client.get(url)

    def add():
        MembershipFactory.create_batch(12, community=community)
        EventFactory.create_batch(6, community=community)

    _grows_not(client, url, add, ceiling=30)


def test_channel_page(client, site_pages, django_capture_on_commit_callbacks):
    from communities.services import default_channel_ensure
    from communities.services.messages import message_send

    community = CommunityFactory(slug="reseau-lecture")
    members = [MembershipFactory(community=community).user for _ in range(4)]
    channel = default_channel_ensure(community=community)

    def post(count: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(count):
                # By the others: the reader has them to mark read.
                message_send(channel=channel, author=members[1 + i % 3], body=f"Message {i}")

    post(3)
    client.force_login(members[0])
    url = reverse(
        "communities:channel", kwargs={"slug": community.slug, "channel_slug": channel.slug}
    )
    client.get(url)
    # Both readings find unread messages (each marks them read: same queries).
    post(1)
    _grows_not(client, url, lambda: post(20), ceiling=45)


def test_statistics_page(client, make_project):
    _projects(make_project, 3)
    client.get(reverse("curation:statistics"))
    _grows_not(
        client,
        reverse("curation:statistics"),
        lambda: _projects(make_project, 8, start=3),
        ceiling=20,
    )


def test_admin_project_edit(client, make_project, editor):
    project = _projects(make_project, 1)[0]
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[project.pk])
    client.get(url)
    count = _queries(client, url)
    print(f"{url}: {count} requêtes")
    assert count <= 65
