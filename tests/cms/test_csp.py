"""Content-Security-Policy: every public page forbids inline script, eval and
inline styles; the Wagtail admin gets its own, looser but still strict, policy.
The browser suite (tests/e2e/conftest.py) checks that no page breaks it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "pas d'en-tête Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_common(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-eval'" not in policy[directive]
        assert "*" not in policy[directive]


def _assert_public(policy: dict[str, list[str]]) -> None:
    _assert_common(policy)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "https://tile.openstreetmap.org"]


@pytest.fixture
def project(make_project):
    return make_project(title="Le Bus numérique de la Creuse")


def test_home_search_and_project_pages_forbid_inline_script_eval_and_styles(client, project):
    for url in ("/", "/recherche/", "/recherche/?q=bus&vue=carte", project.url, "/compte/login/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_public(_policy(response))


def test_not_found_page_has_the_public_policy(client, site_pages):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    _assert_public(_policy(response))


def test_wagtail_admin_gets_its_own_policy_without_eval(client, editor, site_pages):
    login = client.get("/admin/login/")
    _assert_common(_policy(login))
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = _policy(response)
    _assert_common(policy)
    # Wagtail's inline panels and date widgets write inline <script> (see base.py).
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    # The preview panel frames an admin page; nobody else may frame the admin.
    assert policy["frame-ancestors"] == ["'self'"]


def test_a_preview_keeps_the_public_policy_but_may_be_framed_by_the_admin(project):
    policy = _policy(project.make_preview_request())
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_public_pages_render_no_inline_script_handler_or_style_attribute(client, project):
    for url in ("/", "/recherche/?q=bus", "/recherche/?q=bus&vue=carte", project.url):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
        assert not re.search(r"<[^>]+\sstyle\s*=", html), url


def test_templates_have_no_inline_script_handler_or_style_attribute():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        for match in re.finditer(r"<[a-z][^>]*\s(on[a-z]+|style)\s*=", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(1)}=")
    assert offenders == []
