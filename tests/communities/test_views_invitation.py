"""/communautes/invitation/<token>/: the page an invitation e-mail links to, for a
visitor without an account (who signs up from it and lands back on it), a signed-in
addressee, someone signed in with another address, and stale links."""

from __future__ import annotations

import html as html_lib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities.models import CommunityInvitation, Membership, MembershipState
from communities.views.invitation import SESSION_KEY
from tests.factories import CommunityFactory, UserFactory

from .conftest import add_member, invite

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-42"


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def secret():
    community = CommunityFactory(
        name="Cercle discret", visibility="secret", join_policy="invitation", charter="La charte."
    )
    community.owner_user = add_member(community, role="owner").user
    return community


@pytest.fixture
def invitation(secret):
    return invite(secret, email="claire@exemple.fr", inviter=secret.owner_user)


def landing(invitation) -> str:
    return f"/communautes/invitation/{invitation.token}/"


def signup(client, email: str, *, next_url: str = ""):
    url = reverse("account_signup") + (f"?next={next_url}" if next_url else "")
    data = {"display_name": "Claire", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def test_an_anonymous_visitor_sees_the_community_and_account_links_back_here(client, invitation):
    response = client.get(landing(invitation))
    page = text(response)
    assert response.status_code == 200
    assert "Invitation à rejoindre Cercle discret" in page
    assert "c•••@exemple.fr" in page and "claire@exemple.fr" not in page
    path = landing(invitation)
    assert f'href="/compte/signup/?next={path}"' in response.content.decode()
    assert f'href="/compte/login/?next={path}"' in response.content.decode()
    assert client.session[SESSION_KEY] == invitation.token
    assert client.session["account_verified_email"] == "claire@exemple.fr"


def test_signing_up_with_the_invited_address_lands_on_the_invitation_then_joins(
    client, secret, invitation
):
    client.get(landing(invitation))
    response = signup(client, "claire@exemple.fr", next_url=landing(invitation))
    # The address counts as verified (stash_verified_email): no confirmation e-mail,
    # signed in at once and sent back to the invitation.
    assert response.status_code == 302
    assert response["Location"] == landing(invitation)
    assert not mail.outbox
    page = client.get(landing(invitation))
    assert "Accepter l'invitation" in text(page)
    response = client.post(landing(invitation), {})
    assert "Acceptez la charte de la communauté pour la rejoindre." in text(response)
    assert not Membership.objects.filter(community=secret, state="active").exclude(
        user=secret.owner_user
    )
    response = client.post(landing(invitation), {"charter": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/communautes/{secret.slug}/"
    assert "Bienvenue dans la communauté « Cercle discret » !" in messages_of(response)
    membership = Membership.objects.get(community=secret, user__email="claire@exemple.fr")
    assert membership.state == MembershipState.ACTIVE
    assert SESSION_KEY not in client.session


def test_a_sign_up_from_the_header_without_next_still_lands_on_the_invitation(client, invitation):
    client.get(landing(invitation))
    response = signup(client, "claire@exemple.fr")
    assert response.status_code == 302
    assert response["Location"] == landing(invitation)


def test_a_login_without_next_still_goes_on_to_the_pending_invitation(client, invitation):
    UserFactory(email="claire@exemple.fr")
    client.get(landing(invitation))
    response = client.post(
        reverse("account_login"), {"login": "claire@exemple.fr", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == landing(invitation)
    assert SESSION_KEY not in client.session
    # Used once: the next login goes where it always goes.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "claire@exemple.fr", "password": PASSWORD}
    )
    assert response["Location"] != landing(invitation)


def test_the_sign_up_form_is_filled_with_the_invited_address(client, invitation):
    client.get(landing(invitation))
    page = client.get(reverse("account_signup") + f"?next={landing(invitation)}")
    assert 'value="claire@exemple.fr"' in page.content.decode()


def test_someone_signed_in_with_another_address_is_told_which_one_masked(
    client, secret, invitation
):
    client.force_login(UserFactory(email="autre@exemple.fr"))
    response = client.get(landing(invitation))
    page = text(response)
    assert "Cette invitation est adressée à c•••@exemple.fr" in page
    assert "claire@exemple.fr" not in page
    response = client.post(landing(invitation), {"charter": "on"})
    assert "Cette invitation est adressée à c•••@exemple.fr" in text(response)
    assert "claire@exemple.fr" not in text(response)
    assert not CommunityInvitation.objects.get().accepted_at
    assert not Membership.objects.filter(user__email="autre@exemple.fr").exists()


def test_the_addressee_declines(client, secret, invitation):
    claire = UserFactory(email="claire@exemple.fr")
    client.force_login(claire)
    response = client.post(landing(invitation), {"decline": "1"}, follow=True)
    assert "Vous avez décliné l'invitation à rejoindre « Cercle discret »." in messages_of(response)
    assert response.redirect_chain[-1][0] == "/mes-communautes/"
    assert CommunityInvitation.objects.get().declined_at
    assert client.get(landing(invitation)).status_code == 404


def test_unknown_used_and_expired_links_say_so(client, invitation):
    response = client.get("/communautes/invitation/nimporte-quoi/")
    assert response.status_code == 404
    assert "Cette invitation n'existe pas ou a déjà servi" in text(response)
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()
    response = client.get(landing(invitation))
    assert response.status_code == 410
    assert "a expiré" in text(response)
    assert SESSION_KEY not in client.session
