"""Personal-data download and account deletion (README « Données personnelles »)."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Revision

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_data_export_holds_account_profile_and_addresses(client, user):
    Profile.objects.filter(user=user).update(
        display_name="Bruno", bio="Coopérateur", organisation="SCIC Mobilités"
    )
    client.force_login(user)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["compte"]["email"] == user.email
    assert data["compte"]["email_addresses"] == [
        {"email": user.email, "verified": True, "primary": True}
    ]
    assert data["profil"]["display_name"] == "Bruno"
    assert data["profil"]["bio"] == "Coopérateur"
    assert data["profil"]["organisation"] == "SCIC Mobilités"
    assert "password" not in json.dumps(data)


def test_data_export_needs_login(client):
    assert client.get(reverse("accounts:data_export")).status_code == 302


def test_account_deletion_needs_the_password(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:account_delete"), {"password": "pas-le-bon", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Mot de passe incorrect." in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_account_deletion_erases_the_account_and_keeps_authored_pages_anonymised(
    client, user, password, site_pages
):
    page = site_pages.get_children().get(slug="a-propos").specific
    revision = page.save_revision(user=user)
    user_id = user.pk
    client.force_login(user)
    response = client.post(
        reverse("accounts:account_delete"), {"password": password, "confirm": "on"}
    )
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert not Profile.objects.filter(user_id=user_id).exists()
    assert not EmailAddress.objects.filter(user_id=user_id).exists()
    # The revision they wrote is kept, without author.
    revision = Revision.objects.get(pk=revision.pk)
    assert revision.user_id is None
    # Logged out, and the old profile page is gone.
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    assert client.get(reverse("accounts:profile", kwargs={"user_id": user_id})).status_code == 404
