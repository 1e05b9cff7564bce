"""Links that leave the page name the address the site is served on (e.g.
`PORT=8011 make run`), not a fixed http://127.0.0.1:8000: canonical and Open Graph,
share links, sitemap, open data, feeds, JSON-LD and e-mails."""

from __future__ import annotations

import json
import re
from io import StringIO
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.management import call_command
from wagtail.models import Site

pytestmark = pytest.mark.django_db

SERVED = "http://127.0.0.1:8011"
HOST = {"HTTP_HOST": "127.0.0.1:8011"}


@pytest.fixture
def served_on_8011(site_pages, monkeypatch):
    """The site as `PORT=8011 make run` serves it: make run's last step before the
    server (carrefour_welcome) points the site's address at the served port."""
    monkeypatch.delenv("SITE_URL", raising=False)
    call_command("carrefour_welcome", host="127.0.0.1", port="8011", stdout=StringIO())
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def project(served_on_8011, projects_index, make_project):
    return make_project(title="Le Bus numérique de la Creuse")


def test_make_run_points_the_site_at_the_served_host_and_port(site_pages, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    listen_everywhere = "0.0.0.0"  # noqa: S104 — what `HOST=0.0.0.0 make run` passes
    call_command("carrefour_welcome", host=listen_everywhere, port="8011", stdout=StringIO())
    from core.absolute_urls import site_root_url

    site = Site.objects.get(is_default_site=True)
    # 0.0.0.0 is where daphne listens (every interface), not an address to link to.
    assert (site.hostname, site.port) == ("127.0.0.1", 8011)
    assert site_root_url() == SERVED


def test_canonical_og_url_and_share_links_use_the_served_address(client, project):
    html = client.get(project.url, **HOST).content.decode()
    url = f"{SERVED}{project.url}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert f"url={quote(url, safe='')}" in html  # LinkedIn, Facebook
    assert "8000" not in html
    jsonld = json.loads(
        re.search(r'<script id="project-jsonld" type="application/json">(.*?)</script>', html)[1]
    )
    assert jsonld["url"] == url and jsonld["@id"] == url


def test_the_canonical_names_the_site_the_request_came_to(client, project, served_on_8011):
    # A second address of the same site (another Wagtail Site on the same pages): the
    # page's links name the one it was read from, not the default site.
    path = project.url
    Site.objects.create(hostname="localhost", port=8012, root_page=served_on_8011.root_page)
    html = client.get(path, HTTP_HOST="localhost:8012").content.decode()
    assert f'<link rel="canonical" href="http://localhost:8012{path}">' in html
    assert f'<meta property="og:url" content="http://localhost:8012{path}">' in html


def test_editorial_and_home_pages_have_canonical_and_og_url(client, served_on_8011):
    home = client.get("/", **HOST).content.decode()
    assert f'<link rel="canonical" href="{SERVED}/">' in home
    assert f'<meta property="og:url" content="{SERVED}/">' in home
    editorial = served_on_8011.root_page.get_children().live().first().specific
    html = client.get(editorial.url, **HOST).content.decode()
    assert f'<link rel="canonical" href="{SERVED}{editorial.url}">' in html


def test_the_sitemap_lists_the_served_address(client, project):
    xml = client.get("/sitemap.xml", **HOST).content.decode()
    assert f"<loc>{SERVED}{project.url}</loc>" in xml
    assert "8000" not in xml


def test_open_data_urls_use_the_served_address(client, project):
    data = json.loads(b"".join(client.get("/donnees/projets.json", **HOST).streaming_content))
    assert [p["url"] for p in data["projects"]] == [f"{SERVED}{project.url}"]
    api = client.get(f"/api/v1/projects/{project.pk}", **HOST).json()
    assert api["url"] == f"{SERVED}{project.url}"


def test_feed_ids_and_links_use_the_served_address(client, project):
    from search.indexing import reindex

    reindex()
    atom = client.get("/recherche/flux.atom", **HOST).content.decode()
    assert f"<id>{SERVED}{project.url}</id>" in atom
    assert f'href="{SERVED}{project.url}"' in atom
    assert re.search(rf"<id>{re.escape(SERVED)}/recherche/\?", atom)  # the feed's own id
    assert "8000" not in atom
    rss = client.get("/recherche/flux.rss", **HOST).content.decode()
    assert re.search(rf"<guid[^>]*>{re.escape(SERVED + project.url)}</guid>", rss)
    csv_export = b"".join(client.get("/recherche/export.csv", **HOST).streaming_content).decode()
    assert f"{SERVED}{project.url}" in csv_export


def test_moderation_emails_link_to_the_served_address(
    client, served_on_8011, projects_index, owner, moderator, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from innovations.services.projects import project_create
    from tests.factories import project_input

    project = project_create(user=owner, data=project_input(), submit=True)
    mail.outbox.clear()
    client.force_login(moderator)
    project.refresh_from_db()
    state = project.current_workflow_state
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[project.pk, "approve", state.current_task_state.pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"comment": ""}, **HOST)
    (message,) = [m for m in mail.outbox if owner.email in m.to]
    project.refresh_from_db()
    assert f"{SERVED}{project.url}" in message.body
    assert f"{SERVED}/mon-espace/projets/" in message.body
    assert "8000" not in message.body


def test_a_declared_site_url_wins(client, project, settings, monkeypatch):
    # Behind a proxy the request may reach an internal name: SITE_URL, when set in the
    # environment, is the public address.
    monkeypatch.setenv("SITE_URL", "https://carrefour.example.org")
    settings.SITE_URL = "https://carrefour.example.org"
    html = client.get(project.url, **HOST).content.decode()
    assert f'<link rel="canonical" href="https://carrefour.example.org{project.url}">' in html
    from core.absolute_urls import absolute_url

    assert absolute_url("/projets/") == "https://carrefour.example.org/projets/"
    call_command("setup_carrefour", "--no-demo", stdout=StringIO())
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "https://carrefour.example.org"  # the sitemap agrees


def test_absolute_url_leaves_full_urls_and_empty_values_alone(served_on_8011):
    from core.absolute_urls import absolute_url

    assert absolute_url("https://partenaire.example.org/fiche") == (
        "https://partenaire.example.org/fiche"
    )
    assert absolute_url("") == ""
    assert absolute_url("/media/a.jpg") == f"{SERVED}/media/a.jpg"
