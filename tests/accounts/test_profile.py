"""Profile editing, avatar validation and the public profile page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Profile
from innovations.models import Territory, TerritoryLevel

pytestmark = pytest.mark.django_db


def _image_bytes(fmt="PNG", size=(800, 600), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _post(client, **extra):
    data = {
        "display_name": "Alice du jardin",
        "bio": "Je fais pousser des tomates avec mes voisins.",
        "organisation": "Les Jardins du Lien",
        "organisation_type": "association",
        "role": "porteur",
        "home_territory": "",
        "is_public": "on",
    }
    data.update(extra)
    return client.post(reverse("accounts:profile_edit"), data)


def test_profile_edit_saves_every_field(client, user):
    region = Territory.objects.create(
        level=TerritoryLevel.REGION, code="75", name="Nouvelle-Aquitaine"
    )
    client.force_login(user)
    response = _post(client, home_territory=str(region.pk))
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.display_name == "Alice du jardin"
    assert profile.organisation_type == "association"
    assert profile.home_territory == region
    page = client.get(reverse("accounts:profile", kwargs={"user_id": user.pk})).content.decode()
    assert "Alice du jardin" in page
    assert "Je fais pousser des tomates" in page
    assert "Nouvelle-Aquitaine" in page


def test_profile_edit_requires_login(client):
    response = client.get(reverse("accounts:profile_edit"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_empty_display_name_is_refused_with_a_french_message(client, user):
    client.force_login(user)
    before = Profile.objects.get(user=user).display_name
    response = _post(client, display_name="", bio="x" * 1001)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nom affiché : Champ requis." in html  # in the error summary, linked to the field
    assert 'href="#id_display_name"' in html
    assert "<title>Erreur : " in html
    assert Profile.objects.get(user=user).display_name == before


def test_avatar_is_reencoded_as_a_square_webp_without_metadata(client, user):
    client.force_login(user)
    exif = Image.Exif()
    exif[0x010F] = "Appareil photo secret"  # Make
    upload = SimpleUploadedFile("moi.jpg", _image_bytes("JPEG", exif=exif), "image/jpeg")
    response = _post(client, avatar_upload=upload)
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    with profile.avatar.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (512, 512)
        assert not stored.getexif()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"%PDF-1.4 not an image at all", "pas une image valide"),
        ("tronque.png", _image_bytes("PNG")[:200], "pas une image valide"),
        ("image.bmp", _image_bytes("BMP", size=(20, 20)), "Format d’image non accepté"),
    ],
)
def test_bad_avatar_is_refused_and_the_profile_is_unchanged(client, user, name, content, message):
    client.force_login(user)
    before = Profile.objects.get(user=user)
    response = _post(
        client, display_name="Nouveau nom", avatar_upload=SimpleUploadedFile(name, content)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    after = Profile.objects.get(user=user)
    assert after.display_name == before.display_name  # nothing half-written
    assert not after.avatar


def test_too_heavy_avatar_is_refused(client, user, settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 10_000
    client.force_login(user)
    big = SimpleUploadedFile("grand.png", _image_bytes("PNG", size=(2000, 2000)) + b"\0" * 20_000)
    response = _post(client, avatar_upload=big)
    assert "trop lourde" in response.content.decode()
    assert not Profile.objects.get(user=user).avatar


def test_decompression_bomb_avatar_is_refused(client, user):
    # A tiny PNG whose header announces 30 000 × 30 000 pixels (900 Mpx).
    bomb = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 1_000_000
    client.force_login(user)
    response = _post(client, avatar_upload=SimpleUploadedFile("bombe.png", bomb.getvalue()))
    html = response.content.decode()
    assert response.status_code == 200
    assert "image piégée" in html or "trop grande" in html
    assert not Profile.objects.get(user=user).avatar


def test_private_profile_is_hidden_from_others_but_not_from_its_owner(client, user, other_user):
    Profile.objects.filter(user=user).update(is_public=False)
    url = reverse("accounts:profile", kwargs={"user_id": user.pk})
    assert client.get(url).status_code == 404
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(url).status_code == 200


def test_every_list_of_the_profile_form_says_aucun_for_no_choice(client, user):
    client.force_login(user)
    html = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "---------" not in html
    # Organisation type, role and home territory: the same words for « nothing chosen ».
    assert html.count('<option value="" selected>— Aucun —</option>') == 3


def test_removing_the_photo_is_offered_only_when_there_is_one(client, user):
    client.force_login(user)
    html = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "Supprimer la photo actuelle" not in html
    upload = SimpleUploadedFile("moi.png", _image_bytes("PNG"), "image/png")
    assert _post(client, avatar_upload=upload).status_code == 302
    html = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "Supprimer la photo actuelle" in html
    assert _post(client, remove_avatar="on").status_code == 302
    assert not Profile.objects.get(user=user).avatar
