"""Essaimage in a real browser (issue 16, « Done when »): a team fills its
replication sheet and finds its project with « Prêt à essaimer »; another member
presses « S'en inspirer », the team accepts and they exchange a message in the
direct conversation it opens (websockets: cms.asgi under uvicorn); a new project
declares « Inspiré de » and the original shows it on its map; a visitor downloads
the département's portrait, built by a background worker, and ``pdftotext`` finds
in it the figures the page shows. Every page is checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading

import pytest
from playwright.sync_api import expect

from communities.models import InspirationRequest, InspirationStatus
from innovations.models import ProjectLineage, ReplicationSheet
from search.indexing import reindex
from tests.e2e.asgi_server import asgi_server_fixture, people_fixture  # noqa: F401 — fixtures
from tests.e2e.channel_pages import composer, message, wait_live

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _check(tab, axe, context: str) -> None:
    tab.wait_for_load_state("networkidle")
    axe(tab, context=context)


class PortraitWorker(threading.Thread):
    """Stands for ``manage.py carrefour_worker``: runs the portrait jobs the site
    queues (the test database is the server's, as the worker's would be)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.ran = 0

    def run(self) -> None:
        from django.db import connections

        from jobs.models import Job, JobStatus
        from jobs.services import job_run

        try:
            while not self.stop.wait(0.2):
                for job in Job.objects.filter(kind="curation_portrait", status=JobStatus.PENDING):
                    job_run(job_id=job.pk)
                    self.ran += 1
        finally:
            connections.close_all()


@pytest.fixture
def no_immediate_tasks(monkeypatch):
    """The test settings run tasks at once, in the request; here the job waits in
    the queue for the worker, as in production."""
    from jobs import services

    monkeypatch.setattr(services, "job_enqueue", lambda *, job: None)


def test_team_spreads_member_gets_inspired_lineage_and_portrait(
    people, axe, make_project, owner, user, other_user, no_immediate_tasks
):
    bus = make_project(owner=owner, title="Le Bus des droits")
    make_project(title="La Recyclerie du Val", themes=["environnement.economie-circulaire"])
    reindex(kinds=["project"])

    # 1. The team fills its replication sheet and finds its project « Prêt à essaimer ».
    team = people.open(owner)
    team.goto(f"/mon-espace/projets/{bus.pk}/essaimage/")
    _check(team, axe, "fiche d'essaimage vide")
    team.get_by_label(re.compile(r"^Prêt à essaimer")).select_option("prete")
    team.get_by_label("Ce qui peut être reproduit").fill(
        "La tournée du bus, le planning des permanences et le kit des bénévoles."
    )
    team.get_by_label("Budget annuel").select_option("50k-150k")
    team.get_by_label("Licence de la méthode").select_option("cc-by-sa")
    team.get_by_role("button", name="Enregistrer la fiche").click()
    expect(team.locator("#completeness")).to_contain_text("remplie à 36 %")
    _check(team, axe, "fiche d'essaimage remplie")
    assert ReplicationSheet.objects.get(project=bus).readiness == "prete"
    reindex(kinds=["project"])
    team.goto("/recherche/?tri=essaimage")
    first = team.locator(".search-results article, .search-results li").first
    expect(first).to_contain_text("Le Bus des droits")
    facet = (
        team.locator("details.facet")
        .filter(has=team.locator("summary", has_text="Essaimage"))
        .first
    )
    if facet.get_attribute("open") is None:
        facet.locator("summary").click()
    facet.get_by_label("Prêt à essaimer", exact=False).check()
    team.wait_for_url(re.compile(r"essaimage=prete"))
    expect(team.locator("main")).to_contain_text("Le Bus des droits")
    expect(team.locator("main")).not_to_contain_text("La Recyclerie du Val")
    _check(team, axe, "recherche « Prêt à essaimer »")
    team.goto(bus.url)
    expect(team.get_by_role("heading", name="Essaimer ce projet")).to_be_visible()

    # 2. Another member presses « S'en inspirer »; the team accepts; they write.
    member = people.open(user)
    member.goto(bus.url)
    _check(member, axe, "page projet (membre)")
    member.get_by_role("link", name=re.compile(r"^S'en inspirer")).click()
    member.wait_for_url(re.compile(r"/s-en-inspirer/"))
    _check(member, axe, "formulaire « S'en inspirer »")
    member.get_by_label("Pour quelle organisation ?").fill("Centre social du Limousin")
    member.get_by_label("Pourquoi ce projet vous inspire-t-il ?").fill(
        "Nous voulons lancer une tournée semblable en Corrèze."
    )
    member.get_by_role("button", name="Envoyer ma demande").click()
    # Without a place: refused in French, naming the field, nothing lost.
    expect(member.locator(".field__error").first).to_contain_text("Indiquez où")
    expect(member.get_by_label("Pour quelle organisation ?")).to_have_value(
        "Centre social du Limousin"
    )
    member.get_by_label("Où voulez-vous vous en inspirer ?").fill("Creuse")
    member.keyboard.press("Escape")
    member.get_by_role("button", name="Envoyer ma demande").click()
    member.wait_for_url(re.compile(r"/mon-espace/inspirations/"))
    expect(member.locator("main")).to_contain_text("Le Bus des droits")
    _check(member, axe, "mes inspirations")
    inspiration = InspirationRequest.objects.get()
    assert inspiration.status == InspirationStatus.PENDING

    team.goto(f"/mon-espace/projets/{bus.pk}/inspirations/")
    _check(team, axe, "demandes reçues")
    expect(team.locator("main")).to_contain_text("Centre social du Limousin")
    team.get_by_label("Votre message").first.fill("Avec plaisir : parlons-en !")
    team.get_by_role("button", name=re.compile(r"^Accepter")).first.click()
    team.wait_for_load_state()
    inspiration.refresh_from_db()
    assert inspiration.status == InspirationStatus.ACCEPTED and inspiration.channel_id

    member.goto("/mon-espace/inspirations/")
    member.get_by_role("link", name=re.compile(r"^Ouvrir la conversation")).click()
    wait_live(member)
    expect(message(member, "Avec plaisir : parlons-en !")).to_be_visible()
    composer(member).fill("Merci ! Quand pouvons-nous nous appeler ?")
    member.get_by_role("button", name="Envoyer").click()
    # Stored and echoed back before the team opens the conversation.
    expect(message(member, "Quand pouvons-nous nous appeler ?")).to_be_visible()
    expect(member.locator("[data-chat-pending] li")).to_have_count(0)
    team.goto(f"/messages/{inspiration.channel_id}/")
    wait_live(team)
    expect(message(team, "Quand pouvons-nous nous appeler ?")).to_be_visible()

    # 3. A new project declares « Inspiré de »; the original shows it on its map.
    copy = make_project(owner=other_user, title="Le Bus des droits du Limousin")
    copy_team = people.open(other_user)
    copy_team.goto(f"/mon-espace/projets/{copy.pk}/essaimage/")
    copy_team.get_by_label("Chercher le projet qui vous a inspiré").fill("Bus des droits")
    copy_team.locator("main").get_by_role("button", name="Chercher").click()
    _check(copy_team, axe, "choix de l'inspiration")
    copy_team.get_by_role(
        "button", name=re.compile(r"Déclarer comme inspiration : Le Bus des droits$")
    ).click()
    expect(copy_team.locator("main")).to_contain_text("figure parmi vos inspirations")
    assert ProjectLineage.objects.filter(original=bus, replication=copy).exists()

    visitor = people.open(None)
    visitor.goto(bus.url)
    expect(visitor.get_by_role("heading", name="Essaimé à 1 endroit")).to_be_visible()
    lineage_map = visitor.locator("[data-map='lineage-map-points']")
    expect(lineage_map).to_be_visible()
    expect(lineage_map.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(visitor.locator(".lineage")).to_contain_text("Le Bus des droits du Limousin")
    _check(visitor, axe, "projet d'origine et ses reprises")
    visitor.goto(copy.url)
    expect(visitor.get_by_role("heading", name="Inspiré de")).to_be_visible()

    # 4. A visitor downloads the département's portrait, made by the worker.
    reindex(kinds=["project"])
    visitor.goto("/territoires/departement/23/")
    _check(visitor, axe, "page du département")
    shown = visitor.locator("main").inner_text()
    # « En chiffres » on the page: (figure, label) pairs, e.g. (« 3 », « projets »).
    figures = [
        (
            item.locator(".key-figures__figure").inner_text().strip(),
            item.locator(".key-figures__label").inner_text().strip(),
        )
        for item in visitor.locator(".key-figures li").all()
    ]
    assert ("3", "projets") in figures, figures
    link = visitor.get_by_role("link", name="Télécharger le portrait du territoire (PDF)")
    worker = PortraitWorker()
    worker.start()
    try:
        response = visitor.request.get(link.get_attribute("href"), timeout=60_000)
    finally:
        worker.stop.set()
        worker.join(10)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert worker.ran == 1
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (paquet Debian poppler-utils) est requis : .ci/system-deps"
    text = subprocess.run(  # noqa: S603 - a fixed program on bytes the site sent
        [pdftotext, "-layout", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()
    assert "Creuse" in text
    # The project ready to spread is named on the page and in the portrait.
    assert "Le Bus des droits" in shown and "Le Bus des droits" in text
    # The figures the page shows are the portrait's.
    flat = " ".join(text.split())
    for figure, label in figures:
        if label in ("projets", "communautés", "événements", "partenaires sources"):
            assert f"{figure} {label}" in flat, (figure, label, flat[:1500])
    assert "1 projets prêts à essaimer" in flat
