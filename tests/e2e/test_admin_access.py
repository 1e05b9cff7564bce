"""A member who opens /admin/ sees, on a phone and a desktop, a French page that
says they have no access and leads to Mon espace — no loop of redirections."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}], ids=str
)
def test_a_member_opening_the_admin_is_told_and_led_to_mon_espace(
    page, user, password, site_pages, axe, viewport
):
    page.set_viewport_size(viewport)
    page.goto("/compte/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    response = page.goto("/admin/")
    assert response is not None and response.status == 403
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Vous n'avez pas accès à l'administration")
    )
    axe(page)
    page.get_by_role("link", name="Mon espace").first.click()
    page.wait_for_load_state()
    assert "/admin/" not in page.url and page.get_by_role("heading", level=1).is_visible()
    axe(page)
