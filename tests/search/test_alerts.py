"""Saved searches and their alerts: only what is new and visible, never twice, a
one-click unsubscribe without logging in, in the member's language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from search import alerts
from search.indexing import reindex
from search.models import SavedSearch

pytestmark = pytest.mark.django_db


def _later(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def saved(user, make_project):
    old = make_project(title="Bus numérique d'avant")  # published before the search was saved
    type(old).objects.filter(pk=old.pk).update(first_published_at=_later(-2))
    reindex(kinds=["project"])
    search = alerts.saved_search_create(
        user=user, name="Numérique en Creuse", params="q=numérique&page=3", frequency="daily"
    )
    # Saved yesterday: the project above is older than that.
    SavedSearch.objects.filter(pk=search.pk).update(created_at=_later(-1), checked_until=_later(-1))
    search.refresh_from_db()
    return search


def _publish(make_project, title: str, **kwargs):
    project = make_project(title=title, **kwargs)
    reindex(kinds=["project"])
    return project


def test_saving_keeps_the_search_without_paging(saved):
    assert saved.params == "q=num%C3%A9rique"
    assert alerts.saved_search_url(saved) == "/recherche/?q=num%C3%A9rique"


def test_bad_searches_and_names_are_refused_in_french(user):
    with pytest.raises(alerts.SavedSearchError, match="vide"):
        alerts.saved_search_create(user=user, name="Rien", params="", frequency="daily")
    with pytest.raises(alerts.SavedSearchError, match="nom"):
        alerts.saved_search_create(user=user, name="  ", params="q=x", frequency="daily")
    with pytest.raises(alerts.SavedSearchError, match="Tri inconnu"):
        alerts.saved_search_create(user=user, name="x", params="q=x&tri=hasard", frequency="daily")
    with pytest.raises(alerts.SavedSearchError, match="fréquence"):
        alerts.saved_search_create(user=user, name="x", params="q=x", frequency="hourly")
    assert not SavedSearch.objects.exists()


def test_one_email_with_the_new_project_then_nothing_twice(saved, make_project, user):
    _publish(make_project, "Le Bus numérique de Guéret")
    report = alerts.alerts_send()
    assert (report.checked, report.sent, report.items) == (1, 1, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "Le Bus numérique de Guéret" in message.body
    assert "d'avant" not in message.body  # published before the search was saved
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "« Numérique en Creuse » : 1 nouveauté" in message.subject
    # At once again, or the next day (the search is due again): nothing new, nothing sent.
    assert alerts.alerts_send().sent == 0
    assert alerts.alerts_send(now=_later(1)).sent == 0
    assert len(mail.outbox) == 1


def test_the_command_is_idempotent(saved, make_project, capsys):
    _publish(make_project, "Atelier numérique")
    call_command("send_alerts")
    call_command("send_alerts", search=[saved.pk])
    assert len(mail.outbox) == 1
    assert "0 e-mails envoyés" in capsys.readouterr().out.splitlines()[-1]


def test_a_search_is_not_due_before_its_period(saved, make_project):
    _publish(make_project, "Premier atelier numérique")
    assert alerts.alerts_send().sent == 1
    _publish(make_project, "Second atelier numérique")
    assert alerts.alerts_send().checked == 0  # checked a moment ago: not due
    assert alerts.alerts_send(now=_later(1)).sent == 1
    assert "Second atelier" in mail.outbox[-1].body and "Premier" not in mail.outbox[-1].body


def test_what_the_member_may_not_see_is_not_sent(saved, make_project):
    from wagtail.models import PageViewRestriction

    from tests.factories import UserFactory

    project = _publish(make_project, "Réunion numérique réservée")
    group = UserFactory().groups.model.objects.create(name="Financeurs")
    restriction = PageViewRestriction.objects.create(
        page=project, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)
    reindex(kinds=["project"])
    assert alerts.alerts_send().sent == 0
    assert mail.outbox == []


def test_never_sends_nothing_and_unsubscribe_works_without_login(client, saved, make_project):
    token = alerts.unsubscribe_token(saved)
    url = f"/recherche/alertes/desabonnement/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "Arrêter les alertes" in page.content.decode()
    saved.refresh_from_db()
    assert saved.frequency == "daily"  # opening the link changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "C'est fait" in done.content.decode()
    saved.refresh_from_db()
    assert saved.frequency == "never"
    _publish(make_project, "Numérique encore")
    assert alerts.alerts_send(now=_later(2)).checked == 0
    assert client.get("/recherche/alertes/desabonnement/abc/").status_code == 400


def test_alerts_speak_the_language_the_search_was_saved_in(user, make_project):
    search = alerts.saved_search_create(
        user=user, name="Digital", params="q=numérique", frequency="weekly", language="en-gb"
    )
    assert search.language == "en"
    SavedSearch.objects.filter(pk=search.pk).update(created_at=_later(-8), checked_until=_later(-8))
    _publish(make_project, "Bus numérique")
    assert alerts.alerts_send().sent == 1
    assert "new" in mail.outbox[0].subject.lower()
    assert "Stop the alerts of this search" in mail.outbox[0].body


def test_events_and_communities_are_announced_too(saved, user):
    from tests.factories import CommunityFactory

    CommunityFactory(name="Numérique inclusif")
    CommunityFactory(name="Numérique secret", visibility="secret")
    reindex(kinds=["community"])
    assert alerts.alerts_send().sent == 1
    assert "Numérique inclusif" in mail.outbox[0].body
    assert "secret" not in mail.outbox[0].body


def test_mes_recherches_lists_edits_and_deletes_only_ones_own(client, saved, other_user):
    client.force_login(saved.user)
    page = client.get("/recherche/mes-recherches/")
    assert "Numérique en Creuse" in page.content.decode()
    client.post(f"/recherche/mes-recherches/{saved.pk}/", {"name": "Creuse", "frequency": "weekly"})
    saved.refresh_from_db()
    assert (saved.name, saved.frequency) == ("Creuse", "weekly")
    client.force_login(other_user)
    assert client.post(f"/recherche/mes-recherches/{saved.pk}/supprimer/").status_code == 404
    client.force_login(saved.user)
    client.post(f"/recherche/mes-recherches/{saved.pk}/supprimer/")
    assert not SavedSearch.objects.exists()


def test_saving_from_the_results_page(client, user):
    client.force_login(user)
    form = client.get("/recherche/enregistrer/", {"q": "jardins", "domaine": "environnement"})
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="jardins"' in html  # the name proposed
    response = client.post(
        "/recherche/enregistrer/",
        {"name": "Jardins", "frequency": "weekly", "params": "q=jardins&domaine=environnement"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert saved.params == "q=jardins&domaine=environnement" and saved.language == "fr"


def test_saving_needs_an_account(client):
    response = client.get("/recherche/enregistrer/", {"q": "jardins"})
    assert response.status_code == 302 and "/compte/" in response["Location"]
