"""Territory portraits in PDF (issue 16): built by the background job, cached until
what they show changes, served at /territoires/<level>/<code>/portrait.pdf; a 202
page in French while the worker has not finished (tests have no worker: the job is
run here with ``job_run``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

try:  # Pango comes from Debian (.ci/system-deps): without it, nothing to render
    import weasyprint  # noqa: F401

    RENDERER_MISSING = ""
except (ImportError, OSError) as exc:
    RENDERER_MISSING = f"WeasyPrint inutilisable ({exc}) : lancez .ci/system-deps"
needs_renderer = pytest.mark.skipif(bool(RENDERER_MISSING), reason=RENDERER_MISSING or "-")
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext absent (poppler-utils, .ci/system-deps)"
)
URL = "/territoires/departement/23/portrait.pdf"


@pytest.fixture(autouse=True)
def no_wait(monkeypatch, settings, tmp_path):
    """No worker in the tests: the view does not wait for one. Each test has its
    own media storage: no portrait left by another test is served."""
    from curation.views import portraits

    monkeypatch.setattr(portraits, "WAIT_SECONDS", 0)
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def creuse(make_project, restrict, indexed):
    """Creuse: two digital projects (one ready to spread), one for employment, a
    partner, a community with an upcoming and a past event; hidden: a draft and a
    restricted project ready to spread, a secret community."""
    from communities.models import CommunityTerritory
    from innovations.models import (
        ProjectSourceRecord,
        ReplicationSheet,
        Source,
        Territory,
        TerritoryLevel,
    )
    from tests.factories import CommunityFactory, EventFactory

    ready = make_project(title="Le Bus numérique de la Creuse")
    ReplicationSheet.objects.create(project=ready, readiness="prete")
    make_project(title="Atelier de réparation d'ordinateurs")
    make_project(title="Chantier d'insertion du plateau", themes=["emploi-insertion.iae"])
    make_project(title="Projet en brouillon", live=False)
    secret = make_project(title="Projet réservé aux membres")
    ReplicationSheet.objects.create(project=secret, readiness="prete")
    restrict(secret)
    source = Source.objects.create(name="Réseau des tiers-lieux", slug="tiers-lieux")
    ProjectSourceRecord.objects.create(source=source, source_identifier="T1", project=ready)
    creuse = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="23")
    community = CommunityFactory(name="Numérique en Creuse")
    CommunityTerritory.objects.create(community=community, territory=creuse)
    hidden = CommunityFactory(name="Cercle secret", visibility="secret")
    CommunityTerritory.objects.create(community=hidden, territory=creuse)
    EventFactory(community=community, title="Café numérique de printemps")
    EventFactory(
        community=community,
        title="Réunion d'hier",
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() - timedelta(hours=22),
    )
    indexed()
    return ready


def _jobs():
    from curation.services.portraits import PORTRAIT_JOB
    from jobs.models import Job

    return Job.objects.filter(kind=PORTRAIT_JOB).order_by("pk")


def _build(client, url=URL):
    """Ask, run the job the request started (the worker's part), ask again."""
    from jobs.models import JobStatus
    from jobs.services import job_run

    pending = client.get(url)
    assert pending.status_code == 202, pending.status_code
    job = _jobs().last()
    assert job_run(job_id=job.pk).status == JobStatus.DONE
    response = client.get(url)
    assert response.status_code == 200
    return response


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "portrait.pdf"
    path.write_bytes(content)
    out = subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
        [PDFTOTEXT, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"[\s\u00a0\u202f]+", " ", out)


def _body(response) -> bytes:
    return response.content


def _page_figures(client) -> dict[str, str]:
    html = client.get("/territoires/departement/23/").content.decode()
    found = re.findall(
        r'key-figures__figure">([^<]+)</strong> <span class="key-figures__label">([^<]+)<', html
    )
    return {label: re.sub(r"[\s\u00a0]+", " ", value) for value, label in found}


def test_the_territory_page_links_its_portrait(client, creuse):
    html = client.get("/territoires/departement/23/").content.decode()
    assert f'href="{URL}"' in html
    assert "Télécharger le portrait du territoire (PDF)" in html
    region = client.get("/territoires/region/75/").content.decode()
    assert 'href="/territoires/region/75/portrait.pdf"' in region


def test_without_a_worker_the_visitor_gets_a_french_202_page(client, creuse):
    response = client.get(URL)
    assert response.status_code == 202
    html = response.content.decode()
    assert "Le portrait est en préparation" in html
    assert f'href="{URL}"' in html  # try again, when the visitor wants
    assert 'http-equiv="refresh"' not in html.lower()  # WCAG 2.2.1: no timed reload
    job = _jobs().get()
    assert job.status == "pending" and job.params["level"] == "departement"


def test_many_visitors_start_one_job(client, creuse, editor):
    for _n in range(3):
        assert client.get(URL).status_code == 202
    client.force_login(editor)  # signed in: the same public portrait
    assert client.get(URL).status_code == 202
    assert _jobs().count() == 1


@needs_pdftotext
@needs_renderer
def test_the_job_builds_a_pdf_with_the_figures_of_the_page(client, creuse, tmp_path):
    response = _build(client)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="portrait-departement-23.pdf"'
    content = _body(response)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    figures = _page_figures(client)
    assert figures["projets"] == "3" and figures["habitants"] == "115 527"
    for label in ("projets", "communautés", "événements", "partenaires sources", "habitants"):
        assert f"{figures[label]} {label}" in text, label
    assert "PORTRAIT DU TERRITOIRE" in text and "Creuse (23)" in text
    assert "Numérique" in text and "Emploi et insertion" in text  # projects by domain
    assert "Réseau des tiers-lieux" in text  # partners present
    assert "Numérique en Creuse" in text  # communities
    assert "Café numérique de printemps" in text and "Réunion d'hier" not in text
    assert "Le Bus numérique de la Creuse" in text  # ready to spread
    assert "1 projets prêts à essaimer" in text
    # 3 projects for 115,527 inhabitants.
    assert "2,6 projets pour 100 000 habitants" in text
    for hidden in ("Projet en brouillon", "Projet réservé aux membres", "Cercle secret"):
        assert hidden not in text


def _pdf_objects(content: bytes) -> bytes:
    """The PDF with its compressed streams inflated (object streams included)."""
    parts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


@needs_renderer
def test_the_pdf_is_a4_tagged_with_its_title_and_language(client, creuse):
    content = _body(_build(client))
    objects = _pdf_objects(content)
    assert b"/Lang (fr)" in objects
    assert b"/StructTreeRoot" in objects  # tagged
    assert b"pdfuaid" in objects  # PDF/UA identification in the metadata
    assert b"/MediaBox [0 0 595" in objects  # A4
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        info = subprocess.run(  # noqa: S603
            [pdfinfo, "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert "Tagged:          yes" in info
        assert "Portrait du territoire : Creuse (23)" in info


@needs_renderer
def test_the_cached_pdf_is_served_until_the_data_changes(client, creuse, make_project, indexed):
    from django.core.files.storage import default_storage

    first = _body(_build(client))
    again = client.get(URL)
    assert again.status_code == 200 and _body(again) == first
    assert _jobs().count() == 1  # nothing changed: no second job
    folder = "portraits/departement-23"
    assert len(default_storage.listdir(folder)[1]) == 1

    make_project(title="Nouvelle ressourcerie")  # a new published project in Creuse
    indexed()
    assert client.get(URL).status_code == 202  # the stamp changed: rebuilt
    assert _jobs().count() == 2
    from jobs.services import job_run

    job_run(job_id=_jobs().last().pk)
    rebuilt = client.get(URL)
    assert rebuilt.status_code == 200 and _body(rebuilt) != first
    assert len(default_storage.listdir(folder)[1]) == 1  # the old one removed


@needs_renderer
def test_a_change_elsewhere_keeps_the_portrait(client, creuse, indexed):
    from communities.models import CommunityTerritory
    from innovations.models import Territory, TerritoryLevel
    from tests.factories import CommunityFactory

    _build(client)
    finistere = Territory.objects.get(level=TerritoryLevel.DEPARTEMENT, code="29")
    CommunityTerritory.objects.create(
        community=CommunityFactory(name="Communauté du Finistère"), territory=finistere
    )
    indexed()
    assert client.get(URL).status_code == 200
    assert _jobs().count() == 1


@needs_renderer
def test_a_project_elsewhere_changes_the_map_so_the_portrait(client, creuse, make_project, indexed):
    """The département's portrait maps every département: a project in Brest is on it."""
    _build(client)
    make_project(title="Projet à Brest", commune="29019")
    indexed()
    assert client.get(URL).status_code == 202
    assert _jobs().count() == 2


@needs_renderer
def test_the_worker_finishing_during_the_wait_is_served_at_once(client, creuse, monkeypatch):
    """What happens with ``make run``: the view waits while the worker builds."""
    from curation.views import portraits
    from jobs.services import job_run

    monkeypatch.setattr(portraits, "WAIT_SECONDS", 5)
    monkeypatch.setattr(portraits.time, "sleep", lambda _s: job_run(job_id=_jobs().last().pk))
    response = client.get(URL)
    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF")


@needs_pdftotext
@needs_renderer
def test_a_region_portrait(client, creuse, tmp_path):
    url = "/territoires/region/75/portrait.pdf"
    response = _build(client, url)
    assert 'filename="portrait-region-75.pdf"' in response["Content-Disposition"]
    text = _pdf_text(_body(response), tmp_path)
    assert "Nouvelle-Aquitaine" in text
    assert "Creuse (23) 3" in text  # its départements, with their projects
    assert "Le Bus numérique de la Creuse" in text


def test_unknown_territories_are_404(client, db):
    assert client.get("/territoires/departement/99/portrait.pdf").status_code == 404
    assert client.get("/territoires/commune/23096/portrait.pdf").status_code == 404
    assert client.get("/territoires/region/23/portrait.pdf").status_code == 404


def test_a_failed_build_is_not_started_again_at_once(client, creuse, monkeypatch):
    from curation.services import portraits
    from jobs.services import job_run

    def broken(*, data):
        raise portraits.PortraitRendererMissing("Pango introuvable")

    monkeypatch.setattr(portraits, "portrait_render", broken)
    client.get(URL)
    assert job_run(job_id=_jobs().get().pk).status == "failed"
    response = client.get(URL)
    assert response.status_code == 503
    assert "Le portrait n'a pas pu être préparé" in response.content.decode()
    assert _jobs().count() == 1


def test_the_job_kind_is_registered():
    from curation.services.portraits import PORTRAIT_JOB
    from jobs.registry import job_kind

    kind = job_kind(PORTRAIT_JOB)
    assert kind is not None and kind.resumable


def test_no_portrait_is_made_while_the_search_is_down(client, creuse, monkeypatch):
    from curation.selectors import figures, listing, portraits
    from search.services import SearchUnavailable

    def down(**kwargs):
        raise SearchUnavailable("moteur arrêté")

    for module in (figures, listing, portraits):
        monkeypatch.setattr(module, "search", down)
    response = client.get(URL)
    assert response.status_code == 503
    assert "Le portrait est momentanément indisponible" in response.content.decode()
    assert not _jobs().exists()  # never a portrait full of zeros


def test_a_job_removes_only_the_portraits_older_than_its_own_request():
    import time

    from django.core.files.storage import default_storage

    from curation.services.portraits import portrait_prune, portrait_store

    folder = "portraits/region-53"
    for name in ("fr-ancien.pdf", "en-ancien.pdf"):
        portrait_store(name=f"{folder}/{name}", content=b"%PDF ancien")
    time.sleep(0.05)
    asked_at = timezone.now()
    time.sleep(0.05)
    # Written meanwhile by a job asked for later (newer data): kept.
    portrait_store(name=f"{folder}/fr-plus-recent.pdf", content=b"%PDF recent")
    portrait_store(name=f"{folder}/fr-celui-ci.pdf", content=b"%PDF")
    removed = portrait_prune(keep=f"{folder}/fr-celui-ci.pdf", language="fr", before=asked_at)
    assert removed == 1
    assert sorted(default_storage.listdir(folder)[1]) == [
        "en-ancien.pdf",
        "fr-celui-ci.pdf",
        "fr-plus-recent.pdf",
    ]
