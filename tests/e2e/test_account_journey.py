"""A newcomer's journey in a real browser: sign up, confirm, edit the profile,
download the data, delete the account — keyboard first where it matters."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

# serialized_rollback: the data migrations (root page, groups) survive the flushes.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(transactional_db):
    from cms.demo.editorial import editorial_pages_ensure
    from cms.services import site_tree_ensure

    editorial_pages_ensure(home=site_tree_ensure())


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(page, site):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#contenu"


def test_sign_up_confirm_edit_profile_download_and_delete(page, site, tmp_path):
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Nom affiché").fill("Inès Porteuse")
    page.get_by_label("E-mail").fill("ines@exemple.org")
    page.get_by_label("Mot de passe", exact=False).first.fill("un-mot-de-passe-solide-42")
    page.get_by_label("Mot de passe (confirmation)").fill("un-mot-de-passe-solide-42")
    page.get_by_role("button", name="Créer un compte").click()
    page.wait_for_url("**/compte/confirm-email/")
    assert page.get_by_role("heading", level=1).inner_text().strip()

    # The verification link arrives by e-mail (the console in `make run`).
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+(/compte/confirm-email/[^\s]+)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url("**/mon-espace/")
    assert "Bonjour Inès Porteuse" in page.content()

    page.get_by_role("link", name="Modifier mon profil").click()
    page.get_by_label("Présentation").fill("J'anime un tiers-lieu rural.")
    page.get_by_label("Type d'organisation").select_option("association")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Votre profil a été enregistré.").is_visible()

    page.goto("/mon-espace/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    target = tmp_path / "donnees.json"
    download_info.value.save_as(target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["compte"]["email"] == "ines@exemple.org"
    assert data["profil"]["bio"] == "J'anime un tiers-lieu rural."

    page.get_by_role("link", name="Supprimer mon compte").click()
    page.get_by_label("Mot de passe actuel").fill("un-mot-de-passe-solide-42")
    page.get_by_label("Je comprends que la suppression est définitive.").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    assert page.get_by_text("Votre compte a été supprimé.").is_visible()
    assert not get_user_model().objects.filter(email="ines@exemple.org").exists()


def test_form_errors_are_summarised_and_focused(page, site):
    page.goto("/compte/signup/")
    page.get_by_role("button", name="Créer un compte").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Erreur")
