"""« S'en inspirer » (issue 16): a member asks a project's team how to copy it; the
team accepts (a direct conversation opens) or declines with a message; the member
follows their requests in « Mes inspirations » and may withdraw a pending one;
requests are rate-limited, one pending per project, refused to the project's own
team, to hidden projects and while the team paused them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from communities.models import ChannelKind, InspirationRequest, InspirationStatus, Message
from communities.services import direct_channel_open, direct_messages_set, message_send
from communities.services.inspirations import (
    InspirationPermissionDenied,
    inspiration_accept,
    inspiration_decline,
    inspiration_request_create,
    inspiration_requests_pause,
    inspiration_withdraw,
)
from communities.services.messages import ChatRefused
from innovations.models import ProjectMember, ReplicationSheet, Territory, TerritoryLevel
from tests.communities.conftest import refused
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Nous voudrions ouvrir un bus numérique dans nos villages : comment avez-vous démarré ?"


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture
def gueret(territories):
    return Territory.objects.get(level=TerritoryLevel.COMMUNE, code="23096")


@pytest.fixture
def coeditor(db):
    return UserFactory(email="coeditrice@exemple.org")


@pytest.fixture
def project(make_project, owner, coeditor):
    """A live project, its owner (``owner``) and a co-editor (``coeditor``)."""
    project = make_project(owner=owner, title="Le Bus numérique de la Creuse")
    ProjectMember.objects.create(project=project, user=coeditor)
    return project


@pytest.fixture
def requester(db):
    return UserFactory(email="demandeuse@exemple.org")


def ask(project, requester, territory, **overrides):
    values = {"organisation": "Médiathèque de Nemours", "message": MESSAGE}
    values.update(overrides)
    return inspiration_request_create(
        project=project, requester=requester, territory=territory, **values
    )


def as_(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def flash(html: str) -> str:
    found = re.search(r'<ul class="messages">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def box(html: str) -> str:
    found = re.search(r'<section aria-labelledby="inspire-title".*?</section>', html, re.S)
    return found.group(0) if found else ""


# --- creating a request ---------------------------------------------------------------


def test_both_kinds_are_registered_with_an_immediate_email_by_default():
    from pathlib import Path

    from communities.notify import inspirations as notify
    from notifications.kinds import Delivery, kind_get

    for code in ("inspiration.request", "inspiration.answer"):
        kind = kind_get(code)
        assert kind is not None and kind.default == Delivery.IMMEDIATE
        assert "S'en inspirer" in str(kind.label)
    source = Path(notify.__file__).read_text(encoding="utf-8")
    assert set(re.findall(r'kind="(inspiration\.[a-z_]+)"', source)) == {
        code for code, _label, _default in notify.INSPIRATION_KINDS
    }


def test_a_request_notifies_every_member_of_the_team(project, requester, gueret, sent, commit):
    with commit():
        inspiration = ask(project, requester, gueret)
    assert inspiration.status == InspirationStatus.PENDING
    assert inspiration.territory == gueret
    notices = [s for s in sent if s.kind == "inspiration.request"]
    assert len(notices) == 1
    notice = notices[0]
    assert notice.recipients == ["coeditrice@exemple.org", "porteuse@exemple.org"]
    assert "souhaite s'inspirer de « Le Bus numérique de la Creuse »" in notice.title
    assert "Guéret (23)" in notice.body and "Médiathèque de Nemours" in notice.body
    assert MESSAGE in notice.body
    assert notice.url == (
        f"/mon-espace/projets/{project.pk}/inspirations/#demande-{inspiration.pk}"
    )


def test_the_team_is_emailed_at_once_but_only_after_the_commit(
    project, requester, gueret, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(project, requester, gueret)
    assert mail.outbox == []  # nothing leaves before the commit
    assert callbacks
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["coeditrice@exemple.org", "porteuse@exemple.org"]
    email = mail.outbox[0]
    assert "souhaite s'inspirer" in email.subject
    assert "Médiathèque de Nemours" in email.body and MESSAGE in email.body


def test_a_team_member_who_chose_the_digest_gets_no_immediate_email(
    project, requester, gueret, owner, commit
):
    from notifications.services import preference_set

    preference_set(user=owner, kind="inspiration.request", mode="digest")
    mail.outbox.clear()
    with commit():
        ask(project, requester, gueret)
    assert [m.to[0] for m in mail.outbox] == ["coeditrice@exemple.org"]


@pytest.mark.parametrize(
    ("field", "overrides", "fragment"),
    [
        ("organisation", {"organisation": "  "}, "pour quelle organisation"),
        ("organisation", {"organisation": "x" * 201}, "trop long"),
        ("message", {"message": ""}, "pourquoi ce projet vous inspire"),
        ("message", {"message": "x" * 2001}, "trop long"),
        ("territory", {"territory": None}, "une commune, un département ou une région"),
    ],
)
def test_bad_input_is_refused_in_french_naming_the_field(
    project, requester, gueret, field, overrides, fragment
):
    territory = overrides.pop("territory", gueret)
    with pytest.raises(ValidationError) as info:
        ask(project, requester, territory, **overrides)
    errors = info.value.message_dict
    assert list(errors) == [field]
    assert fragment in " ".join(errors[field])
    assert not InspirationRequest.objects.exists()


def test_one_pending_request_per_project_and_requester(project, requester, gueret):
    ask(project, requester, gueret)
    with refused(ValidationError, "déjà une demande en attente", code="already_pending"):
        ask(project, requester, gueret)
    assert InspirationRequest.objects.count() == 1


def test_a_withdrawn_request_may_be_sent_again(project, requester, gueret):
    first = ask(project, requester, gueret)
    inspiration_withdraw(inspiration=first, actor=requester)
    again = ask(project, requester, gueret)
    assert again.pk != first.pk and again.status == InspirationStatus.PENDING


def test_requests_are_limited_per_requester_over_24_hours(
    make_project, owner, requester, gueret, settings
):
    settings.CARREFOUR_INSPIRATIONS_PER_DAY = 2
    projects = [make_project(owner=owner, title=f"Projet {i}") for i in range(4)]
    old = ask(projects[0], requester, gueret)
    InspirationRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    ask(projects[1], requester, gueret)
    withdrawn = ask(projects[2], requester, gueret)
    inspiration_withdraw(inspiration=withdrawn, actor=requester)  # still counts
    with refused(ValidationError, "en 24 heures : c'est le maximum", code="rate_limited"):
        ask(projects[3], requester, gueret)
    # Another member is not held back by this one's requests.
    ask(projects[3], UserFactory(), gueret)


def test_the_team_may_not_ask_its_own_project(project, owner, coeditor, gueret):
    for member in (owner, coeditor):
        with refused(InspirationPermissionDenied, "Vous faites partie de l'équipe"):
            ask(project, member, gueret)


def test_anonymous_requests_are_refused(project, gueret):
    from django.contrib.auth.models import AnonymousUser

    with refused(InspirationPermissionDenied, "Connectez-vous"):
        ask(project, AnonymousUser(), gueret)


def test_a_paused_project_refuses_requests_clearly(project, owner, requester, gueret):
    assert not ReplicationSheet.objects.filter(project=project).exists()
    sheet = inspiration_requests_pause(project=project, actor=owner, paused=True)
    assert sheet.requests_paused  # the sheet was created for it
    with refused(ValidationError, "ne reçoit pas de demandes", code="paused"):
        ask(project, requester, gueret)
    inspiration_requests_pause(project=project, actor=owner, paused=False)
    ask(project, requester, gueret)


def test_only_the_team_or_an_editor_pauses_requests(project, requester, editor, coeditor):
    with refused(InspirationPermissionDenied, "Seule l'équipe du projet"):
        inspiration_requests_pause(project=project, actor=requester, paused=True)
    inspiration_requests_pause(project=project, actor=coeditor, paused=True)
    sheet = ReplicationSheet.objects.get(project=project)
    assert sheet.requests_paused
    inspiration_requests_pause(project=project, actor=editor, paused=False)
    sheet.refresh_from_db()
    assert not sheet.requests_paused


def test_a_project_without_a_team_takes_no_request(make_project, requester, gueret):
    orphan = make_project(title="Référencé par un partenaire")  # no owner, no co-editor
    with refused(ValidationError, "pas encore d'équipe", code="no_team"):
        ask(orphan, requester, gueret)
    for client in (as_(), as_(requester)):
        section = box(client.get(orphan.url).content.decode())
        assert "pas encore d'équipe" in section and "s-en-inspirer/" not in section


def test_a_draft_project_takes_no_request(make_project, owner, requester, gueret):
    draft = make_project(owner=owner, live=False, title="Brouillon")
    with refused(InspirationPermissionDenied, "n'existe pas ou n'est pas publié"):
        ask(draft, requester, gueret)


def test_a_project_under_a_view_restriction_takes_no_request(project, requester, gueret):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=project, restriction_type=PageViewRestriction.LOGIN)
    with refused(InspirationPermissionDenied, "n'existe pas ou n'est pas publié"):
        ask(project, requester, gueret)


# --- answering -------------------------------------------------------------------------


def test_accepting_opens_the_conversation_with_the_message_first(
    project, coeditor, requester, gueret, sent, commit
):
    inspiration = ask(project, requester, gueret)
    with commit():
        accepted = inspiration_accept(
            inspiration=inspiration, actor=coeditor, message="Avec plaisir, parlons-en !"
        )
    assert accepted.status == InspirationStatus.ACCEPTED
    assert accepted.decided_by == coeditor and accepted.decided_at is not None
    assert accepted.response == "Avec plaisir, parlons-en !"
    channel = accepted.channel
    assert channel.kind == ChannelKind.DIRECT
    assert set(channel.members.values_list("user_id", flat=True)) == {coeditor.pk, requester.pk}
    first = Message.objects.get(channel=channel)
    assert first.author == coeditor and first.body == "Avec plaisir, parlons-en !"
    answer = [s for s in sent if s.kind == "inspiration.answer"]
    assert len(answer) == 1
    assert answer[0].recipients == ["demandeuse@exemple.org"]
    assert "a accepté votre demande" in answer[0].title
    assert answer[0].url == f"/messages/{channel.pk}/"


def test_accepting_without_a_message_opens_an_empty_conversation(project, owner, requester, gueret):
    accepted = inspiration_accept(inspiration=ask(project, requester, gueret), actor=owner)
    assert accepted.channel is not None
    assert not Message.objects.filter(channel=accepted.channel).exists()


def test_declining_needs_a_message_and_tells_the_requester(
    project, owner, requester, gueret, sent, commit
):
    inspiration = ask(project, requester, gueret)
    with pytest.raises(ValidationError) as info:
        inspiration_decline(inspiration=inspiration, actor=owner, message="  ")
    assert "pourquoi vous déclinez" in " ".join(info.value.message_dict["message"])
    mail.outbox.clear()
    with commit():
        declined = inspiration_decline(
            inspiration=inspiration, actor=owner, message="Pas cette année, désolés."
        )
    assert declined.status == InspirationStatus.DECLINED and declined.channel is None
    answer = [s for s in sent if s.kind == "inspiration.answer"]
    assert "a décliné votre demande" in answer[0].title
    assert "Pas cette année, désolés." in answer[0].body
    assert answer[0].url == f"/mon-espace/inspirations/#demande-{inspiration.pk}"
    assert [m.to[0] for m in mail.outbox] == ["demandeuse@exemple.org"]


def test_only_the_team_answers(project, requester, gueret):
    inspiration = ask(project, requester, gueret)
    for stranger in (requester, UserFactory()):
        with refused(InspirationPermissionDenied, "Seule l'équipe du projet"):
            inspiration_accept(inspiration=inspiration, actor=stranger)
        with refused(InspirationPermissionDenied, "Seule l'équipe du projet"):
            inspiration_decline(inspiration=inspiration, actor=stranger, message="Non")
    inspiration.refresh_from_db()
    assert inspiration.status == InspirationStatus.PENDING


def test_two_team_members_deciding_at_once_one_wins_the_other_is_told(
    project, owner, coeditor, requester, gueret
):
    # Both loaded the inbox while the request was pending (stale objects): the
    # service re-reads the row locked and sees the first decision.
    seen_by_owner = ask(project, requester, gueret)
    seen_by_coeditor = InspirationRequest.objects.get(pk=seen_by_owner.pk)
    inspiration_accept(inspiration=seen_by_owner, actor=owner)
    with refused(ValidationError, "déjà reçu une réponse", code="already_decided") as info:
        inspiration_decline(inspiration=seen_by_coeditor, actor=coeditor, message="Non merci")
    assert str(owner) in " ".join(info.value.messages) and "acceptée" in info.value.messages[0]
    seen_by_coeditor.refresh_from_db()
    assert seen_by_coeditor.status == InspirationStatus.ACCEPTED
    assert seen_by_coeditor.decided_by == owner


def test_withdrawing_is_for_the_requester_and_takes_back_the_team_notifications(
    project, owner, requester, gueret, commit
):
    from notifications.models import Notification

    with commit():
        inspiration = ask(project, requester, gueret)
    assert Notification.objects.filter(kind="inspiration.request").count() == 2
    with refused(InspirationPermissionDenied, "Seule la personne"):
        inspiration_withdraw(inspiration=inspiration, actor=owner)
    with commit():
        withdrawn = inspiration_withdraw(inspiration=inspiration, actor=requester)
    assert withdrawn.status == InspirationStatus.WITHDRAWN
    assert not Notification.objects.filter(kind="inspiration.request").exists()
    with refused(ValidationError, "retirée", code="already_decided"):
        inspiration_accept(inspiration=inspiration, actor=owner)
    with refused(ValidationError, "retirée"):
        inspiration_withdraw(inspiration=inspiration, actor=requester)


# --- direct messages: an accepted request is consent ----------------------------------


def test_an_accepted_request_lets_both_write_direct_messages(project, owner, requester, gueret):
    # They share no community: without the request, no conversation.
    with refused(ChatRefused, "communauté que vous partagez"):
        direct_channel_open(user=requester, other=owner)
    accepted = inspiration_accept(inspiration=ask(project, requester, gueret), actor=owner)
    message_send(channel=accepted.channel, author=requester, body="Merci !")
    message_send(channel=accepted.channel, author=owner, body="Avec plaisir.")
    # Either of them may open it again (the same conversation).
    assert direct_channel_open(user=requester, other=owner) == accepted.channel
    assert direct_channel_open(user=owner, other=requester) == accepted.channel
    assert Message.objects.filter(channel=accepted.channel).count() == 2


def test_the_accepted_request_stands_even_when_direct_messages_are_turned_off(
    project, owner, requester, gueret
):
    direct_messages_set(user=requester, accepted=False)
    direct_messages_set(user=owner, accepted=False)
    accepted = inspiration_accept(inspiration=ask(project, requester, gueret), actor=owner)
    message_send(channel=accepted.channel, author=requester, body="Bonjour")
    message_send(channel=accepted.channel, author=owner, body="Bonjour à vous")


def test_a_declined_or_pending_request_opens_no_conversation(
    project, owner, coeditor, requester, gueret
):
    inspiration = ask(project, requester, gueret)
    with refused(ChatRefused, "communauté que vous partagez"):
        direct_channel_open(user=owner, other=requester)
    inspiration_decline(inspiration=inspiration, actor=owner, message="Pas maintenant")
    for person in (owner, coeditor):
        with refused(ChatRefused, "communauté que vous partagez"):
            direct_channel_open(user=person, other=requester)
        with refused(ChatRefused, "communauté que vous partagez"):
            direct_channel_open(user=requester, other=person)


def test_the_consent_is_between_the_requester_and_the_member_who_accepted(
    project, owner, coeditor, requester, gueret
):
    inspiration_accept(inspiration=ask(project, requester, gueret), actor=owner)
    with refused(ChatRefused, "communauté que vous partagez"):
        direct_channel_open(user=requester, other=coeditor)


def test_both_write_through_the_conversation_page(project, owner, requester, gueret):
    accepted = inspiration_accept(inspiration=ask(project, requester, gueret), actor=owner)
    url = f"/messages/{accepted.channel_id}/"
    for person, body in ((requester, "Bonjour l'équipe"), (owner, "Bonjour !")):
        client = as_(person)
        assert client.get(url).status_code == 200
        response = client.post(url, {"body": body, "client_id": str(uuid.uuid4())})
        assert response.status_code == 302
    assert list(
        Message.objects.filter(channel=accepted.channel)
        .order_by("pk")
        .values_list("body", flat=True)
    ) == ["Bonjour l'équipe", "Bonjour !"]


# --- the pages ----------------------------------------------------------------------------


def form_url(project) -> str:
    return f"/projets-actions/{project.pk}/s-en-inspirer/"


def test_the_form_asks_anonymous_visitors_to_log_in(project):
    response = as_().get(form_url(project))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/")
    assert "next=/projets-actions/" in response["Location"].replace("%2F", "/")


def test_the_form_is_404_for_a_draft_or_missing_project(make_project, owner, requester):
    draft = make_project(owner=owner, live=False, title="Brouillon")
    client = as_(requester)
    assert client.get(form_url(draft)).status_code == 404
    assert client.post(form_url(draft), {}).status_code == 404
    assert client.get("/projets-actions/999999/s-en-inspirer/").status_code == 404


def test_the_form_shows_its_fields_with_the_profile_organisation(project, requester):
    requester.profile.organisation = "Centre social des Aubiers"
    requester.profile.save(update_fields=["organisation"])
    html = as_(requester).get(form_url(project)).content.decode()
    assert "Où voulez-vous vous en inspirer ?" in html
    assert "data-territory-autocomplete" in html
    assert 'value="Centre social des Aubiers"' in html
    assert "territory-autocomplete.js" in html


def test_the_form_errors_name_the_field_in_french(project, requester):
    response = as_(requester).post(
        form_url(project), {"territory": "", "organisation": "", "message": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Pour quelle organisation ? : Indiquez pour quelle organisation" in html
    assert "Où voulez-vous vous en inspirer ? : Indiquez où" in html
    assert "Pourquoi ce projet vous inspire-t-il ? : Dites en quelques mots" in html
    assert not InspirationRequest.objects.exists()


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [("Montréal", "Plusieurs territoires portent ce nom"), ("Xyzzyville", "Territoire inconnu")],
)
def test_an_ambiguous_or_unknown_territory_is_explained(project, requester, typed, fragment):
    response = as_(requester).post(
        form_url(project), {"territory": typed, "organisation": "Mairie", "message": MESSAGE}
    )
    assert response.status_code == 400
    assert fragment in response.content.decode()


def test_a_sent_request_leads_to_my_inspirations(project, requester):
    client = as_(requester)
    response = client.post(
        form_url(project),
        {"territory": "Guéret (23)", "organisation": "Mairie de Guéret", "message": MESSAGE},
    )
    assert response.status_code == 302 and response["Location"] == "/mon-espace/inspirations/"
    inspiration = InspirationRequest.objects.get()
    assert inspiration.territory.code == "23096" and inspiration.requester == requester
    html = client.get("/mon-espace/inspirations/").content.decode()
    assert "Votre demande est envoyée" in flash(html)
    assert "Le Bus numérique de la Creuse" in html and "En attente" in html


def test_a_refusal_of_the_service_is_shown_on_the_form(project, owner, requester):
    inspiration_requests_pause(project=project, actor=owner, paused=True)
    response = as_(requester).post(
        form_url(project),
        {"territory": "Guéret", "organisation": "Mairie", "message": MESSAGE},
    )
    assert response.status_code == 400
    assert "ne reçoit pas de demandes" in response.content.decode()


def test_my_inspirations_lists_every_state_and_withdraws_a_pending_one(
    make_project, owner, requester, gueret
):
    projects = [make_project(owner=owner, title=f"Projet {name}") for name in "ABCD"]
    pending = ask(projects[0], requester, gueret)
    inspiration_accept(inspiration=ask(projects[1], requester, gueret), actor=owner, message="Oui")
    inspiration_decline(
        inspiration=ask(projects[2], requester, gueret), actor=owner, message="Pas cette année"
    )
    inspiration_withdraw(inspiration=ask(projects[3], requester, gueret), actor=requester)
    client = as_(requester)
    html = client.get("/mon-espace/inspirations/").content.decode()
    for label in ("En attente", "Acceptée", "Déclinée", "Retirée"):
        assert label in html
    assert "Pas cette année" in html and "Ouvrir la conversation" in html
    assert html.count("Retirer ma demande") == 1
    response = client.post(f"/mon-espace/inspirations/{pending.pk}/retirer/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == InspirationStatus.WITHDRAWN
    # Someone else's request: 404.
    other = ask(projects[0], UserFactory(), gueret)
    assert client.post(f"/mon-espace/inspirations/{other.pk}/retirer/").status_code == 404


def test_my_inspirations_needs_a_signed_in_person(db):
    response = as_().get("/mon-espace/inspirations/")
    assert response.status_code == 302 and "/compte/" in response["Location"]


def inbox_url(project) -> str:
    return f"/mon-espace/projets/{project.pk}/inspirations/"


def test_the_inbox_is_404_for_outsiders(project, requester):
    assert as_(requester).get(inbox_url(project)).status_code == 404
    assert as_(requester).post(inbox_url(project) + "pause/", {"paused": "1"}).status_code == 404
    assert as_().get(inbox_url(project)).status_code == 302


def test_the_inbox_shows_pending_requests_first_with_their_forms(
    project, owner, coeditor, requester, gueret
):
    earlier = ask(project, UserFactory(), gueret, organisation="Mairie de Tulle")
    inspiration_decline(inspiration=earlier, actor=owner, message="Non")
    ask(project, requester, gueret, organisation="Mairie de Guéret")
    for member in (owner, coeditor):
        html = as_(member).get(inbox_url(project)).content.decode()
        assert "1 demande en attente" in html
        assert html.index("Mairie de Guéret") < html.index("Mairie de Tulle")
        assert html.count('value="accept"') == 1
        assert "Mettre les demandes en pause" in html


def test_an_editor_reads_the_inbox_but_does_not_answer(project, requester, gueret, editor):
    ask(project, requester, gueret)
    html = as_(editor).get(inbox_url(project)).content.decode()
    assert "1 demande en attente" in html and 'value="accept"' not in html


def test_accepting_from_the_inbox_opens_the_conversation(project, owner, requester, gueret):
    inspiration = ask(project, requester, gueret)
    response = as_(owner).post(
        f"{inbox_url(project)}{inspiration.pk}/reponse/",
        {"decision": "accept", "message": "Bienvenue !"},
    )
    inspiration.refresh_from_db()
    assert inspiration.status == InspirationStatus.ACCEPTED
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{inspiration.channel_id}/"


def test_declining_from_the_inbox_without_a_message_keeps_the_form_with_its_error(
    project, owner, requester, gueret
):
    inspiration = ask(project, requester, gueret)
    response = as_(owner).post(
        f"{inbox_url(project)}{inspiration.pk}/reponse/", {"decision": "decline", "message": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'href="#inspiration-{inspiration.pk}-message"' in html
    assert "pourquoi vous déclinez" in html
    response = as_(owner).post(
        f"{inbox_url(project)}{inspiration.pk}/reponse/",
        {"decision": "decline", "message": "Pas cette année"},
    )
    assert response.status_code == 302
    inspiration.refresh_from_db()
    assert inspiration.status == InspirationStatus.DECLINED


def test_a_second_answer_from_the_inbox_says_who_answered(
    project, owner, coeditor, requester, gueret
):
    inspiration = ask(project, requester, gueret)
    inspiration_accept(inspiration=inspiration, actor=owner)
    client = as_(coeditor)
    response = client.post(
        f"{inbox_url(project)}{inspiration.pk}/reponse/",
        {"decision": "decline", "message": "Non"},
    )
    assert response.status_code == 302
    assert "déjà reçu une réponse" in flash(client.get(inbox_url(project)).content.decode())


def test_the_team_pauses_and_resumes_from_the_inbox(project, coeditor):
    client = as_(coeditor)
    assert client.post(inbox_url(project) + "pause/", {"paused": "1"}).status_code == 302
    assert ReplicationSheet.objects.get(project=project).requests_paused
    html = client.get(inbox_url(project)).content.decode()
    assert "Recevoir de nouveau des demandes" in html
    client.post(inbox_url(project) + "pause/", {"paused": "0"})
    assert not ReplicationSheet.objects.get(project=project).requests_paused


# --- the project page's box ------------------------------------------------------------------


def test_anonymous_visitors_see_the_button_leading_to_the_login(project):
    html = as_().get(project.url).content.decode()
    section = box(html)
    assert "S'en inspirer" in section
    assert f"/compte/login/?next=/projets-actions/{project.pk}/s-en-inspirer/" in section.replace(
        "%2F", "/"
    )


def test_a_member_sees_the_button_then_their_pending_request(project, requester, gueret):
    client = as_(requester)
    section = box(client.get(project.url).content.decode())
    assert f'href="/projets-actions/{project.pk}/s-en-inspirer/"' in section
    ask(project, requester, gueret)
    section = box(client.get(project.url).content.decode())
    assert "Votre demande est en attente" in section
    assert 'href="/mon-espace/inspirations/"' in section
    assert "s-en-inspirer/" not in section


def test_the_team_sees_how_many_requests_wait(project, owner, coeditor, requester, gueret):
    ask(project, requester, gueret)
    ask(project, UserFactory(), gueret)
    for member in (owner, coeditor):
        section = box(as_(member).get(project.url).content.decode())
        assert "2 demandes en attente" in section
        assert f'href="/mon-espace/projets/{project.pk}/inspirations/"' in section


def test_a_paused_project_says_so_instead_of_the_button(project, owner, requester):
    inspiration_requests_pause(project=project, actor=owner, paused=True)
    for client in (as_(), as_(requester)):
        section = box(client.get(project.url).content.decode())
        assert "L'équipe ne reçoit pas de demandes pour le moment" in section
        assert "s-en-inspirer/" not in section


def test_pausing_moves_the_anonymous_page_cache(project, owner, monkeypatch):
    # Anonymous project pages are cached (core/page_cache.py): the pause changes
    # what they show, so saving the sheet must bump the content generation.
    from core import page_cache

    bumps = []
    monkeypatch.setattr(page_cache, "content_changed", lambda: bumps.append(1))
    inspiration_requests_pause(project=project, actor=owner, paused=True)
    assert bumps


def test_a_draft_preview_shows_no_box(make_project, owner):
    draft = make_project(owner=owner, live=False, title="Brouillon")
    response = as_(owner).get(f"/mon-espace/projets/{draft.pk}/apercu/")
    assert response.status_code == 200
    assert box(response.content.decode()) == ""


def test_the_dashboard_and_my_projects_link_here(project, owner):
    client = as_(owner)
    assert 'href="/mon-espace/inspirations/"' in client.get("/mon-espace/").content.decode()
    html = client.get("/mon-espace/projets/").content.decode()
    assert f'href="/mon-espace/projets/{project.pk}/inspirations/"' in html


# --- personal data and demo ----------------------------------------------------------------


def test_the_export_holds_the_requests_sent_and_the_answers_given(
    project, owner, requester, gueret
):
    from accounts.services import personal_data_export

    inspiration_decline(
        inspiration=ask(project, requester, gueret), actor=owner, message="Pas cette année"
    )
    sent_data = personal_data_export(user=requester)["inspirations"]["demandes_envoyees"]
    assert sent_data[0]["organisation"] == "Médiathèque de Nemours"
    assert sent_data[0]["message"] == MESSAGE and sent_data[0]["etat"] == "declined"
    assert sent_data[0]["reponse"] == "Pas cette année"
    given = personal_data_export(user=owner)["inspirations"]["reponses_donnees"]
    assert given[0]["reponse"] == "Pas cette année"


def test_deleting_the_account_removes_the_requests_and_the_team_notifications(
    project, owner, requester, gueret, commit
):
    from accounts.services import account_delete
    from notifications.models import Notification

    with commit():
        ask(project, requester, gueret)
    assert Notification.objects.filter(kind="inspiration.request").exists()
    with commit():
        account_delete(user=requester)
    assert not InspirationRequest.objects.exists()
    assert not Notification.objects.filter(kind="inspiration.request").exists()


def test_deleting_a_team_member_keeps_their_answer_without_their_name(
    project, coeditor, requester, gueret
):
    from accounts.services import account_delete

    inspiration = inspiration_decline(
        inspiration=ask(project, requester, gueret), actor=coeditor, message="Non merci"
    )
    account_delete(user=coeditor)
    inspiration.refresh_from_db()
    assert inspiration.decided_by is None and inspiration.response == "Non merci"


def test_the_demo_gives_lina_pending_accepted_and_declined_requests(
    projects_index, settings, django_capture_on_commit_callbacks
):
    from accounts.demo import demo_accounts_ensure
    from communities.demo.inspirations import demo_inspirations_ensure
    from innovations.demo.loader import demo_projects_ensure

    settings.EMBEDDED_DATABASE = True
    users = demo_accounts_ensure()
    demo_projects_ensure(index=projects_index, users=users, publisher=users["editeur"])
    with django_capture_on_commit_callbacks(execute=True):
        created = demo_inspirations_ensure(users=users)
    lina = users["lina"]
    requests = InspirationRequest.objects.filter(requester=lina)
    assert created == requests.count() >= 4
    pending = requests.filter(status=InspirationStatus.PENDING)
    assert pending.count() >= 2
    assert len({r.project.owner_id for r in pending}) >= 2
    assert lina.pk not in {r.project.owner_id for r in requests}
    accepted = requests.get(status=InspirationStatus.ACCEPTED)
    assert Message.objects.filter(channel=accepted.channel, author=lina).exists()
    assert requests.filter(status=InspirationStatus.DECLINED).count() == 1
    html = as_(lina).get("/mon-espace/inspirations/").content.decode()
    assert "En attente" in html and "Ouvrir la conversation" in html
    # Loading again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_inspirations_ensure(users=users) == 0
    assert InspirationRequest.objects.count() == requests.count()


# --- the websocket path, and a real race (PostgreSQL) ---------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_after_acceptance_both_talk_live_over_the_websocket(
    project, owner, requester, gueret, settings
):
    from tests.chat.conftest import online, run

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    inspiration = await run(ask, project, requester, gueret)
    accepted = await run(inspiration_accept, inspiration=inspiration, actor=owner)
    channel = accepted.channel_id
    async with online(requester) as asking, online(owner) as team:
        caught_up, _ = await asking.subscribe(channel)
        assert caught_up["can_post"] is True
        caught_up, _ = await team.subscribe(channel)
        assert caught_up["can_post"] is True
        await asking.send(type="send", channel=channel, client_id=str(uuid.uuid4()), body="Merci !")
        ack, _ = await asking.until("ack")
        frame, _ = await team.until("message")
        assert frame["id"] == ack["id"] and frame["body"] == "Merci !"
        await team.send(type="send", channel=channel, client_id=str(uuid.uuid4()), body="De rien")
        frame, _ = await asking.until("message", body="De rien")
        assert frame["author"]["id"] == owner.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL (DATABASE_URL)",
)
def test_two_team_members_answering_at_the_same_moment_one_wins(
    project, owner, coeditor, requester, gueret, monkeypatch
):
    import threading
    import time

    from communities.services import inspirations as module

    inspiration = ask(project, requester, gueret)
    locked = module._locked

    def slow_lock(inspiration):
        found = locked(inspiration)
        time.sleep(0.5)  # the other answer arrives while this one decides
        return found

    monkeypatch.setattr(module, "_locked", slow_lock)
    outcome = {}

    def answer(name, call):
        try:
            call()
            outcome[name] = None
        except Exception as exc:
            outcome[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=answer,
            args=("accept", lambda: inspiration_accept(inspiration=inspiration, actor=owner)),
        ),
        threading.Thread(
            target=answer,
            args=(
                "decline",
                lambda: inspiration_decline(inspiration=inspiration, actor=coeditor, message="Non"),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    failures = [exc for exc in outcome.values() if exc is not None]
    assert len(failures) == 1
    assert "déjà reçu une réponse" in " ".join(failures[0].messages)
    inspiration.refresh_from_db()
    assert inspiration.status in (InspirationStatus.ACCEPTED, InspirationStatus.DECLINED)
