"""Page-tree rules: where each page type may live."""

from __future__ import annotations

import pytest
from wagtail.models import Page

from cms.models import ContactPage, EditorialPage, HomePage

pytestmark = pytest.mark.django_db


def test_home_page_lives_only_at_the_root_and_only_once():
    assert HomePage.parent_page_types == ["wagtailcore.Page"]
    assert HomePage.max_count == 1
    assert not HomePage.can_create_at(Page.get_first_root_node()) or not HomePage.objects.exists()


def test_editorial_pages_nest_under_home_or_other_editorial_pages(home_page):
    assert EditorialPage.can_create_at(home_page)
    child = home_page.add_child(instance=EditorialPage(title="Guides", slug="guides"))
    assert EditorialPage.can_create_at(child)
    assert ContactPage.can_create_at(child)


def test_contact_pages_have_no_children(home_page):
    contact = home_page.add_child(instance=ContactPage(title="Contact", slug="contact-2"))
    assert not EditorialPage.can_create_at(contact)
