"""The site shell: French first, English on request, accessible landmarks, error pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def test_home_is_served_in_french_with_landmarks_and_one_h1(client, site_pages):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html  # French first, even for an English browser
    assert html.count("<h1") == 1
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    for landmark in ('role="banner"', 'role="main"', 'role="contentinfo"', 'role="search"'):
        assert landmark in html
    assert "Aller au contenu" in html
    # Navigation and footer links to the editorial pages chosen in the site settings.
    assert 'href="/a-propos/"' in html
    assert 'href="/mentions-legales/"' in html
    assert 'href="/accessibilite/"' in html
    assert 'href="/contact/"' in html
    # Assets are served by the site itself, never by a CDN.
    assert "cdn" not in html.lower()


def test_language_switcher_turns_the_interface_to_english(client, site_pages):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Log in" in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Aller au contenu" in client.get("/").content.decode()


def test_unknown_url_gets_the_styled_french_404(client, site_pages):
    response = client.get("/cette-page-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in html
    assert "site-header" in html


def _boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", _boom)]
handler500 = "cms.views.server_error"


def test_server_error_is_styled_and_shows_no_traceback(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in html
    assert "secret internals" not in html
    assert "Traceback" not in html


def test_contact_form_sends_the_message_and_shows_errors_in_french(client, site_pages, mailoutbox):
    response = client.post("/contact/", {"votre_nom": "", "votre_adresse_e_mail": "faux"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in html
    assert mailoutbox == []
    response = client.post(
        "/contact/",
        {
            "votre_nom": "Lina",
            "votre_adresse_e_mail": "lina@exemple.org",
            "sujet": "Un projet à signaler",
            "message": "Bonjour, voici un tiers-lieu à référencer.",
        },
    )
    assert response.status_code == 200
    assert "Message envoyé" in response.content.decode()
    assert len(mailoutbox) == 1
    assert "tiers-lieu à référencer" in mailoutbox[0].body


def test_the_footer_switcher_is_a_get_form_without_a_token(client, site_pages):
    html = client.get("/").content.decode()
    assert 'action="/langue/" method="get"' in html
    response = client.get("/langue/", {"language": "en", "next": "/recherche/?q=emploi"})
    assert response.status_code == 302 and response["Location"] == "/recherche/?q=emploi"
    assert "Skip to content" in client.get("/").content.decode()
    # Elsewhere than this site, or an unknown language: home, language unchanged.
    response = client.get("/langue/", {"language": "xx", "next": "https://ailleurs.example/"})
    assert response["Location"] == "/"
    assert "Skip to content" in client.get("/").content.decode()
