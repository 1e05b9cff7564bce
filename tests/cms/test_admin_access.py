"""/admin/ for a logged-in member who may not use it: a page saying so, not a loop
between the admin and the login page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_member_without_admin_access_gets_a_page_not_a_redirect_loop(client, site_pages, user):
    client.force_login(user)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == []
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Vous n'avez pas accès à l'administration — " in html
    assert re.search(r"<h1[^>]*>Vous n'avez pas accès à l'administration</h1>", html)
    dashboard = reverse("accounts:dashboard")
    assert re.search(rf'<a[^>]*href="{dashboard}"[^>]*>Aller à Mon espace</a>', html)
    # The public site's shell and its strict policy, not the admin's.
    assert 'id="contenu"' in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    # Wagtail's « You do not have permission » is not left waiting for the next page.
    assert "permission" not in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/admin/pages/", "/admin/login/", "/admin/nimporte-quoi/"])
def test_every_admin_address_says_the_same_to_a_member(client, site_pages, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 403
    assert "Vous n'avez pas accès à l'administration" in response.content.decode()


def test_the_page_is_in_english_for_an_english_reader(client, site_pages, user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You do not have access to the administration" in response.content.decode()


def test_an_anonymous_visitor_still_goes_to_the_login_page(client, site_pages):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=/admin/")


def test_the_editorial_team_still_gets_the_admin(client, site_pages, editor, moderator):
    for member in (editor, moderator):
        client.force_login(member)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/pages/").status_code == 200
