"""Details new users noticed: the home page's title, French « de » before names, the
favicon, the sign-up wording, the e-mails' greeting, the 404 page under `make run`."""

from __future__ import annotations

import importlib
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

SITE = "Carrefour des innovations sociales"


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1).strip()


# --- titles --------------------------------------------------------------------------


def test_the_home_page_title_is_the_site_name_once(client, site_pages):
    assert _title(client.get("/").content.decode()) == SITE


def test_other_pages_keep_their_title_then_the_site_name(client, site_pages):
    assert _title(client.get("/a-propos/").content.decode()).endswith(f" — {SITE}")
    assert _title(client.get("/recherche/").content.decode()) == f"Recherche — {SITE}"


# --- « de » + a name ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("Le Bus des Droits", "du Bus des Droits"),
        ("le relais", "du relais"),
        ("Les Jardins du Lien", "des Jardins du Lien"),
        ("LES AMIS DU QUARTIER", "des AMIS DU QUARTIER"),
        ("La Ruche", "de La Ruche"),
        ("L'Atelier", "de L'Atelier"),
        ("Emmaüs Connect", "d'Emmaüs Connect"),
        ("Écoles de la deuxième chance", "d'Écoles de la deuxième chance"),
        ("Habitat et Humanisme", "d'Habitat et Humanisme"),
        ("Yvetot solidaire", "d'Yvetot solidaire"),
        ("Yaka", "de Yaka"),
        ("Carrefour", "de Carrefour"),
        ("Lebus", "de Lebus"),
        ("« Bus »", "de « Bus »"),
        ("1001 lettres", "de 1001 lettres"),
        ("  Le   Bus  ", "du Bus"),
        ("", ""),
    ],
)
def test_de_name_elides_and_contracts_in_french(name, phrase):
    from cms.templatetags.site_text import de_name

    with translation.override("fr"):
        assert de_name(name) == phrase


def test_de_name_in_english_is_of_and_the_name_as_is():
    from cms.templatetags.site_text import de_name

    with translation.override("en"):
        assert de_name("Le Bus des Droits") == "of Le Bus des Droits"


def test_the_website_link_of_a_project_names_it_in_good_french(client, make_project):
    project = make_project(title="Le Bus des Droits", website="https://bus.example.org")
    html = client.get(project.url).content.decode()
    assert 'Site web<span class="visually-hidden"> du Bus des Droits</span>' in html
    assert "de Le Bus" not in html


# --- favicon -----------------------------------------------------------------------------


def test_every_page_links_an_svg_favicon_that_is_served(client, site_pages):
    for url in ("/", "/recherche/", "/compte/login/", "/nexiste-pas/"):
        html = client.get(url).content.decode()
        match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        assert match, url
    response = client.get(match.group(1))
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_the_server_error_page_has_the_favicon_too(rf):
    from cms.views import server_error

    html = server_error(rf.get("/")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html


# --- sign-up wording and e-mails -----------------------------------------------------


def test_sign_up_says_creer_un_compte_in_title_heading_and_button(client, site_pages):
    html = client.get("/compte/signup/").content.decode()
    assert _title(html) == f"Créer un compte — {SITE}"
    assert re.search(r"<h1>\s*Créer un compte\s*</h1>", html)
    assert re.search(r'<button[^>]*type="submit"[^>]*>\s*Créer un compte\s*</button>', html)
    assert "Inscription" not in html and "Création de compte" not in html


def test_the_confirmation_email_greets_with_the_platform_name(client, site_pages, settings):
    settings.SITE_URL = "https://carrefour.example.org"
    response = client.post(
        "/compte/signup/",
        {
            "display_name": "Inès",
            "email": "ines@exemple.org",
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.body.startswith(f"Bonjour, c'est {SITE} !")
    assert f"compte sur {SITE}." in message.body
    assert message.body.rstrip().endswith(
        f"Merci d'utiliser {SITE} !\nhttps://carrefour.example.org"
    )
    assert "c'est 127.0.0.1" not in message.body


# --- 404 under `make run` (cms.settings.dev) --------------------------------------------


@pytest.fixture
def dev_middleware(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("DEBUG_404", raising=False)
    import cms.settings.dev as dev

    dev = importlib.reload(dev)
    return dev.MIDDLEWARE


def test_dev_settings_keep_debug_and_serve_the_site_404_page(client, site_pages, dev_middleware):
    with override_settings(DEBUG=True, MIDDLEWARE=dev_middleware):
        for url in ("/nexiste-pas/", "/projets/nexiste-pas/", "/favicon.ico", "/mon-espace/x/"):
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 404, url
            assert "Page introuvable" in html, url
            assert "URLconf" not in html and "Using the URLconf" not in html, url
        # CommonMiddleware still adds the slash before deciding.
        response = client.get("/a-propos")
        assert response.status_code == 301 and response.url == "/a-propos/"


def test_without_the_middleware_debug_shows_django_technical_404(client, site_pages):
    # What `make run` showed before, and what DEBUG_404=true brings back.
    with override_settings(DEBUG=True):
        html = client.get("/favicon.ico").content.decode()
    assert "Using the URLconf" in html


def test_debug_404_true_brings_the_technical_page_back(monkeypatch):
    import cms.settings.dev as dev

    monkeypatch.setenv("DEBUG_404", "true")
    try:
        assert "cms.middleware.NotFoundPageMiddleware" not in importlib.reload(dev).MIDDLEWARE
    finally:
        monkeypatch.delenv("DEBUG_404")
        importlib.reload(dev)
