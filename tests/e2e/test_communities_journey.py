"""Communities of action in a real browser (issue 12, « Done when »), on a desktop
(1280×800) and a phone (390×844): an editor creates a territorial community in the
Wagtail admin; someone invited by e-mail signs up from the invitation and lands in
it; a request to join is approved; the waiting list of a full event moves when a
place frees up; a project is attached and shows on the community page; a private
community's content stays out of an outsider's reach on every surface, a secret
community out of sight altogether. Every page visited is checked with axe-core
(WCAG 2.1 AA); JSON answers (API, suggestions) are read through the browser's own
session, so they see what the person sees."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from communities.models import (
    Community,
    CommunityInvitation,
    CommunityProject,
    Membership,
    Rsvp,
)
from innovations.models import ProjectMember
from search.indexing import reindex
from tests.e2e.community_pages import Visit, member_row, notice, section
from tests.factories import CommunityFactory, EventFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHARTER = "Bienveillance, entraide et respect des personnes."


@pytest.fixture(params=[DESKTOP, PHONE], ids=["bureau", "telephone"])
def screen(request, page):
    """The page at one of the two sizes."""
    page.set_viewport_size(request.param)
    return page


@pytest.fixture
def visit(screen, axe) -> Visit:
    return Visit(screen, axe)


def _community(*, owner, **fields) -> Community:
    community = CommunityFactory(**fields)
    MembershipFactory(community=community, user=owner, role="owner")
    return community


def _person(name: str, password: str, **fields):
    user = UserFactory(password=password, **fields)
    user.profile.display_name = name
    user.profile.save(update_fields=["display_name"])
    return user


# --- 1. an editor creates a territorial community in the Wagtail admin ----------------


def test_an_editor_creates_a_territorial_community_in_the_admin(
    visit, site_pages, territories, editor, password
):
    page = visit.page
    visit.login(editor, password)
    visit("/admin/snippets/communities/community/add/")
    # Wagtail's labels end with a « * » for required fields: the fields by their id.
    page.locator("#id_name").fill("Creuse en transition")
    page.locator("#id_slug").fill("creuse-en-transition")
    page.locator("#id_short_description").fill(
        "Les habitants et associations de la Creuse qui préparent l'après-pétrole."
    )
    page.get_by_role("tab", name="Thèmes et territoires").click()
    page.locator("#id_kind").select_option("territoriale")
    page.get_by_role("button", name=re.compile("Ajouter.*territoires", re.I)).click()
    modal = page.locator(".modal-dialog")
    with page.expect_response(lambda r: "/territory_chooser/results/" in r.url):
        modal.get_by_role("textbox").first.fill("Nouvelle-Aquitaine")  # results reload
    modal.get_by_role("checkbox", name=re.compile("Nouvelle-Aquitaine")).check()
    visit.check("sélecteur de territoires ouvert")
    modal.get_by_role("button", name=re.compile("Confirmer|Choisir|Valider", re.I)).click()
    page.get_by_role("tab", name="Accès et charte").click()
    page.locator("#id_visibility").select_option("public")
    page.locator("#id_join_policy").select_option("invitation")
    page.locator("#id_charter").fill(CHARTER)
    visit.check("formulaire de la communauté rempli")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_url("**/admin/snippets/communities/community/")
    visit.check("liste des communautés dans l'administration")

    community = Community.objects.get(slug="creuse-en-transition")
    assert (community.kind, community.visibility, community.join_policy) == (
        "territoriale",
        "public",
        "invitation",
    )
    assert [t.name for t in community.territories.all()] == ["Nouvelle-Aquitaine"]

    visit.logout()
    visit("/communautes/")
    card = page.get_by_role("link", name="Creuse en transition")
    assert card.is_visible()
    card.click()
    visit.check("page de la communauté créée")
    assert page.get_by_role("heading", level=1).inner_text() == "Creuse en transition"
    assert "Nouvelle-Aquitaine" in page.locator(".facts").inner_text()
    assert "Sur invitation" in page.locator(".facts").inner_text()


# --- 2. invited by e-mail, without an account: signs up and lands in the community ----


def test_someone_invited_by_email_signs_up_and_lands_in_the_community(visit, site_pages, password):
    page = visit.page
    owner = _person("Odile Propriétaire", password)
    moderator = _person("Marc Modérateur", password)
    community = _community(
        owner=owner,
        name="Tiers-lieux de la Creuse",
        slug="tiers-lieux-creuse",
        join_policy="invitation",
        charter=CHARTER,
    )
    MembershipFactory(community=community, user=moderator, role="moderator")

    visit.login(moderator, password)
    visit(f"/communautes/{community.slug}/membres/")
    visit.check_unfolded("gestion des membres, formulaires ouverts")
    page.get_by_label("Adresse e-mail").fill("Nadia.Nouvelle@exemple.org")
    page.get_by_label("Message (facultatif)").fill("Viens nous aider à ouvrir l'atelier !")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    visit.check("invitation envoyée")
    assert notice(page, "Invitation envoyée à nadia.nouvelle@exemple.org").is_visible()
    assert "nadia.nouvelle@exemple.org" in section(page, "members-invitations").inner_text()

    # The e-mail (locmem: the live server runs in this process) holds the link.
    (message,) = [m for m in mail.outbox if "nadia.nouvelle@exemple.org" in m.to]
    link = re.search(r"https?://[^\s]+(/communautes/invitation/[^\s/]+/)", message.body).group(1)
    invitation = CommunityInvitation.objects.get(email="nadia.nouvelle@exemple.org")
    assert invitation.token in link

    visit.logout()
    visit(link)
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Invitation à rejoindre Tiers-lieux de la Creuse"
    )
    page.get_by_role("link", name="Créer un compte").last.click()
    page.wait_for_url("**/compte/signup/**")
    visit.check("inscription depuis l'invitation")
    page.get_by_label("Nom affiché").fill("Nadia Nouvelle")
    page.get_by_label("E-mail").fill("nadia.nouvelle@exemple.org")
    page.get_by_label("Mot de passe", exact=False).first.fill(password)
    page.get_by_label("Mot de passe (confirmation)").fill(password)
    page.locator("main").get_by_role("button", name="Créer un compte").click()
    # The invited address counts as verified: no confirmation e-mail, back to the invitation.
    page.wait_for_url(f"**{link}")
    visit.check("invitation, une fois le compte créé")
    page.get_by_label("J'ai lu et j'accepte la charte de la communauté").check()
    page.get_by_role("button", name="Accepter l'invitation").click()
    page.wait_for_url(f"**/communautes/{community.slug}/")
    visit.check("la communauté, après l'invitation acceptée")
    assert notice(page, "Bienvenue dans la communauté « Tiers-lieux de la Creuse »").is_visible()
    assert "Vous êtes membre de cette communauté" in section(page, "community-join").inner_text()

    membership = Membership.objects.get(
        community=community, user__email="nadia.nouvelle@exemple.org"
    )
    assert (membership.state, membership.role) == ("active", "member")
    assert membership.charter_accepted_at is not None
    visit(f"/communautes/{community.slug}/membres/")
    assert member_row(page, "Nadia Nouvelle").is_visible()


# --- 3. a request to join, approved by a moderator -------------------------------------


def test_a_request_to_join_is_approved_by_a_moderator(visit, site_pages, password):
    page = visit.page
    owner = _person("Odile Propriétaire", password)
    moderator = _person("Marc Modérateur", password)
    requester = _person("Rémi Demandeur", password)
    community = _community(
        owner=owner,
        name="Habitat participatif",
        slug="habitat-participatif",
        join_policy="request",
        charter=CHARTER,
    )
    MembershipFactory(community=community, user=moderator, role="moderator")

    visit.login(requester, password)
    visit(f"/communautes/{community.slug}/")
    page.get_by_text("Lire la charte de la communauté").click()
    assert page.get_by_text(CHARTER).is_visible()
    visit.check("charte ouverte")
    page.get_by_label("Votre message aux modérateurs").fill(
        "Je monte un projet d'habitat groupé à Limoges et j'aimerais échanger."
    )
    page.get_by_label("J'ai lu et j'accepte la charte de la communauté").check()
    page.get_by_role("button", name="Demander à rejoindre").click()
    visit.check("demande envoyée")
    assert notice(page, "Votre demande est envoyée").is_visible()
    assert page.get_by_text("Votre demande d'adhésion est en attente").is_visible()

    visit.login(moderator, password)
    visit(f"/communautes/{community.slug}/membres/")
    requests = page.locator(".request-list")
    assert "habitat groupé à Limoges" in requests.inner_text()
    requests.get_by_label("Message à la personne (facultatif)").fill("Bienvenue parmi nous !")
    page.get_by_role("button", name="Accepter Rémi Demandeur").click()
    visit.check("demande acceptée")
    assert notice(page, "Rémi Demandeur est maintenant membre de la communauté.").is_visible()
    assert member_row(page, "Rémi Demandeur").is_visible()
    visit.check_unfolded("gestion des membres, formulaires ouverts")
    visit(f"/communautes/{community.slug}/")
    visit.check_unfolded("la communauté vue par un modérateur, formulaires ouverts")

    visit.login(requester, password)
    visit(f"/communautes/{community.slug}/")
    assert "Vous êtes membre de cette communauté" in section(page, "community-join").inner_text()
    visit("/notifications/")
    assert page.get_by_text("Bienvenue dans « Habitat participatif »").first.is_visible()
    membership = Membership.objects.get(community=community, user=requester)
    assert (membership.state, membership.request_message != "") == ("active", True)


# --- 4. a full event: the waiting list moves when someone cancels ----------------------


def test_the_waiting_list_of_a_full_event_moves_when_a_place_frees_up(visit, site_pages, password):
    page = visit.page
    owner = _person("Odile Propriétaire", password)
    first = _person("Paula Première", password)
    second = _person("Simon Second", password)
    community = _community(owner=owner, name="Repair cafés", slug="repair-cafes")
    for person in (first, second):
        MembershipFactory(community=community, user=person)
    event = EventFactory(community=community, title="Atelier réparation", capacity=1)
    url = f"/evenements/{event.pk}/"

    visit.login(first, password)
    visit(url)
    page.get_by_role("button", name="J'y vais", exact=True).click()
    visit.check("première réponse")
    assert notice(page, "C'est noté : vous y allez.").is_visible()
    assert "complet" in page.locator(".facts").inner_text()

    visit.login(second, password)
    visit(url)
    page.get_by_role("button", name="J'y vais (liste d'attente)").click()
    visit.check("en liste d'attente")
    assert notice(
        page, "L'événement est complet : vous êtes en tête de la liste d'attente"
    ).is_visible()
    assert "Vous êtes en tête de la liste d'attente" in section(page, "event-rsvp").inner_text()

    visit.login(first, password)
    visit(url)
    page.get_by_role("button", name="Je n'y vais plus").click()
    visit.check("désistement")
    assert notice(page, "C'est noté : vous n'y allez pas.").is_visible()

    visit.login(second, password)
    visit(url)
    assert "Vous y allez." in section(page, "event-rsvp").inner_text()
    assert (
        page.get_by_role("button", name="J'y vais", exact=True).get_attribute("aria-pressed")
        == "true"
    )
    visit("/notifications/")
    assert page.get_by_text(
        "Une place s'est libérée : vous participez à « Atelier réparation »"
    ).first.is_visible()
    answers = {r.user_id: (r.answer, r.waitlisted) for r in Rsvp.objects.filter(event=event)}
    assert answers == {first.pk: ("not_going", False), second.pk: ("going", False)}

    # The hosts see who comes (and manage the event, its forms unfolded here).
    visit.login(owner, password)
    visit(url)
    visit.check_unfolded("l'événement vu par sa propriétaire, formulaires ouverts")
    attendees = section(page, "event-attendees").inner_text()
    assert "Simon Second" in attendees and "Paula Première" not in attendees


# --- 5. a project team member attaches their project -----------------------------------


def test_a_project_team_member_attaches_the_project_to_a_community(visit, make_project, password):
    page = visit.page
    owner = _person("Odile Propriétaire", password)
    coeditor = _person("Claire Coéditrice", password)
    project = make_project(owner=_person("Porteuse du projet", password), title="Épicerie mobile")
    ProjectMember.objects.create(project=project, user=coeditor)
    community = _community(owner=owner, name="Alimentation durable", slug="alimentation-durable")
    MembershipFactory(community=community, user=coeditor)

    visit.login(coeditor, password)
    visit(f"/communautes/{community.slug}/")
    assert page.get_by_text("Aucun projet rattaché pour le moment.").is_visible()
    page.get_by_label("Projet à rattacher").select_option(label="Épicerie mobile")
    page.get_by_role("button", name="Rattacher le projet").click()
    visit.check("projet rattaché")
    assert notice(page, "Le projet « Épicerie mobile » est rattaché à la communauté.").is_visible()
    projects = section(page, "community-projects")
    assert projects.get_by_role("link", name="Épicerie mobile").is_visible()
    assert CommunityProject.objects.filter(community=community, project=project).exists()

    # Anyone sees it there (a public community), and the project page names the community.
    visit.logout()
    visit(f"/communautes/{community.slug}/")
    projects.get_by_role("link", name="Épicerie mobile").click()
    visit.check("la page du projet")
    assert page.get_by_role("link", name="Alimentation durable").first.is_visible()


# --- 6. a private community's content, a secret community: out of an outsider's reach --


def _titles(results) -> set[str]:
    return {hit["title"] for hit in results}


def _labels(results) -> set[str]:
    return {item["label"] for item in results}


def test_a_private_community_keeps_its_content_from_outsiders_and_a_secret_one_is_unseen(
    visit, site_pages, password
):
    page = visit.page
    owner = _person("Odile Propriétaire", password)
    member = _person("Maya Membre", password)
    outsider = _person("Oscar Extérieur", password)
    private = _community(
        owner=owner,
        name="Cercle des aidants",
        slug="cercle-des-aidants",
        short_description="Les aidants familiaux du Limousin.",
        visibility="private",
        join_policy="request",
    )
    MembershipFactory(community=private, user=member)
    event = EventFactory(community=private, title="Groupe de parole des aidants")
    secret = _community(
        owner=owner,
        name="Fonds d'amorçage discret",
        slug="fonds-amorcage",
        visibility="secret",
        join_policy="invitation",
    )
    secret_event = EventFactory(community=secret, title="Comité de sélection des lauréats")
    reindex(kinds=["community", "event"])
    hidden = [event.title, secret.name, secret_event.title]

    for who in ("anonyme", "hors communauté"):
        if who == "anonyme":
            visit.logout()
        else:
            visit.login(outsider, password)
        # Listed by design: its name and description, in the directory and the search.
        visit("/communautes/", context=f"annuaire ({who})")
        assert page.get_by_role("link", name="Cercle des aidants").is_visible()
        assert page.get_by_role("link", name=secret.name).count() == 0
        visit(f"/communautes/{private.slug}/", context=f"communauté privée ({who})")
        assert "réservé à ses membres" in page.locator("main").inner_text()
        text = page.locator("main").inner_text()
        assert event.title not in text and "Maya Membre" not in text
        # Its content answers 404, as if it did not exist; the secret one altogether.
        for path in (
            f"/communautes/{private.slug}/membres/",
            f"/communautes/{private.slug}/evenements/",
            f"/evenements/{event.pk}/",
            f"/communautes/{secret.slug}/",
            f"/communautes/{secret.slug}/membres/",
            f"/evenements/{secret_event.pk}/",
        ):
            visit(path, status=404, context=f"{path} ({who})")
        for path in (f"/communautes/{private.slug}/evenements.ics", f"/evenements/{event.pk}.ics"):
            assert page.request.get(path).status == 404, path

        visit("/recherche/?q=aidants", context=f"recherche ({who})")
        results = page.locator("main").inner_text()
        assert "Cercle des aidants" in results
        assert event.title not in results
        visit("/recherche/?q=amor%C3%A7age+s%C3%A9lection", context=f"recherche ({who})")
        assert not any(title in page.locator("main").inner_text() for title in hidden)

        for q in ("aidants", "groupe de parole", "comité de sélection", "fonds amorçage"):
            found = _titles(visit.json("/api/v1/search", q=q)["results"])
            assert not found & set(hidden), (who, q, found)
            suggested = _labels(visit.json("/recherche/suggestions", q=q)["results"])
            assert not suggested & set(hidden), (who, q, suggested)
        assert "Cercle des aidants" in _titles(visit.json("/api/v1/search", q="aidants")["results"])

        details = visit.json(f"/api/v1/communities/{private.slug}")
        assert details["name"] == "Cercle des aidants" and details["events"] == []
        assert details["ics_url"] is None
        visit.json(f"/api/v1/communities/{secret.slug}", status=404)
        listing = visit.json("/api/v1/communities", par_page=100)
        assert {c["slug"] for c in listing["results"]} == {private.slug}

    # A member finds the events, the members, and all of it in the search and the API.
    visit.login(member, password)
    visit(f"/communautes/{private.slug}/")
    assert page.get_by_role("link", name=event.title).first.is_visible()
    visit(f"/communautes/{private.slug}/membres/")
    assert member_row(page, "Maya Membre").is_visible()
    visit(f"/communautes/{private.slug}/evenements/")
    page.get_by_role("link", name=event.title).first.click()
    page.wait_for_url(f"**/evenements/{event.pk}/")
    visit.check("l'événement, pour un membre")
    assert page.get_by_role("heading", level=1).inner_text() == event.title
    assert page.request.get(f"/evenements/{event.pk}.ics").status == 200
    visit("/recherche/?q=groupe+de+parole+aidants")
    assert page.get_by_role("link", name=event.title).first.is_visible()
    assert event.title in _titles(visit.json("/api/v1/search", q="groupe de parole")["results"])
    assert event.title in _labels(
        visit.json("/recherche/suggestions", q="groupe de parole")["results"]
    )
    details = visit.json(f"/api/v1/communities/{private.slug}")
    assert [e["title"] for e in details["events"]] == [event.title]
    # Not a member of the secret one: still nowhere.
    visit(f"/communautes/{secret.slug}/", status=404)
    visit.json(f"/api/v1/communities/{secret.slug}", status=404)
    assert secret_event.title not in _titles(
        visit.json("/api/v1/search", q="comité de sélection")["results"]
    )
    # The owner, who belongs to both, finds what the queries above looked for.
    visit.login(owner, password)
    assert secret.name in _titles(visit.json("/api/v1/search", q="fonds amorçage")["results"])
    found = _titles(visit.json("/api/v1/search", q="comité de sélection")["results"])
    assert secret_event.title in found
    assert secret_event.title in _labels(
        visit.json("/recherche/suggestions", q="comité de sélection")["results"]
    )
