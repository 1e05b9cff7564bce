"""Sign-up, e-mail verification, log-in, log-out, password reset, e-mail change."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+(/compte/[^\s]+)")


def _link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _signup(client, email="nouvelle@exemple.org", password="un-mot-de-passe-solide-42"):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": "Nouvelle Porteuse",
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


def test_signup_sends_french_verification_email_and_does_not_log_in(client):
    response = _signup(client)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@exemple.org"]
    assert message.subject.startswith("[Carrefour]")
    assert "confirm" in message.body.lower()
    # Mandatory verification: the personal space is still closed.
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    user = get_user_model().objects.get(email="nouvelle@exemple.org")
    assert user.profile.display_name == "Nouvelle Porteuse"


def test_confirming_the_email_logs_in_and_opens_the_personal_space(client):
    _signup(client)
    confirm_url = _link(mail.outbox[0])
    page = client.get(confirm_url)
    assert page.status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="nouvelle@exemple.org").verified
    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard.status_code == 200
    assert "Bonjour Nouvelle Porteuse" in dashboard.content.decode()


def test_login_is_refused_until_the_email_is_verified(client):
    _signup(client)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nouvelle@exemple.org", "password": "un-mot-de-passe-solide-42"},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_signup_errors_are_french_and_nothing_is_created(client):
    response = _signup(client, email="pas-une-adresse", password="court")
    html = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in html
    assert "Saisissez une adresse" in html or "adresse e-mail valide" in html
    assert 'aria-invalid="true"' in html
    assert not get_user_model().objects.filter(email="pas-une-adresse").exists()
    assert mail.outbox == []


def test_duplicate_email_creates_no_account_and_warns_the_owner(client, user):
    # allauth prevents account enumeration: the form looks successful, the owner
    # of the address is told by e-mail, and no second account exists.
    _signup(client, email=user.email.upper())
    assert get_user_model().objects.filter(email__iexact=user.email).count() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_login_by_email_then_logout(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_wrong_password_gives_a_french_error(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "mauvais-mot-de-passe"}
    )
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()


def test_repeated_failed_logins_lock_the_account_for_a_while(client, user, password):
    for attempt in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": f"faux-{attempt}"})
    # allauth's rate limit (5 failures per 5 minutes per address): even the right
    # password is refused for now.
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 200
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_password_reset_by_email(client, user):
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    reset_url = _link(mail.outbox[0])
    response = client.get(reset_url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    response = client.post(
        form_url, {"password1": "nouveau-mot-de-passe-99", "password2": "nouveau-mot-de-passe-99"}
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(email=user.email, password="nouveau-mot-de-passe-99")


def test_email_change_requires_verification_of_the_new_address(client, user):
    client.force_login(user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "nouvelle-adresse@exemple.org"}
    )
    assert response.status_code == 302
    assert mail.outbox and mail.outbox[-1].to == ["nouvelle-adresse@exemple.org"]
    address = EmailAddress.objects.get(email="nouvelle-adresse@exemple.org")
    assert not address.verified
    client.post(_link(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.email == "nouvelle-adresse@exemple.org"
