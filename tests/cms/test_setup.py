"""`manage.py setup_carrefour` (run by `make run`) is idempotent."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from cms.models import HomePage, SiteShellSettings
from communities.models import Community, Event, Membership
from innovations.models import ProjectPage, Territory
from innovations.selectors import project_status

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "title", "live")),
        "revisions": Revision.objects.count(),
        "users": list(get_user_model().objects.order_by("email").values_list("email", "password")),
        "territories": Territory.objects.count(),
        "sites": list(Site.objects.values_list("hostname", "root_page_id")),
        "shell": list(SiteShellSettings.objects.values()),
        "communities": {
            model.__name__: model.objects.count() for model in (Community, Membership, Event)
        },
    }


def test_setup_builds_the_site_tree_and_demo_accounts(settings):
    settings.EMBEDDED_DATABASE = True
    call_command("setup_carrefour", verbosity=0)
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert {p.slug for p in home.get_children()} >= {
        "a-propos",
        "mentions-legales",
        "accessibilite",
        "donnees-personnelles",
        "contact",
    }
    # /communautes/ is the communities app's directory, not an editorial page.
    assert not home.get_children().filter(slug="communautes").exists()
    assert Community.objects.count() >= 8
    editor = get_user_model().objects.get(email="editeur@carrefour.test")
    assert editor.groups.filter(name="Éditeurs").exists()
    assert editor.check_password("carrefour-demo")
    assert Territory.objects.filter(level="departement").count() == 101
    assert Territory.objects.filter(level="region").count() == 18
    # At least 30 demo projects across themes and régions, some in moderation.
    projects = list(ProjectPage.objects.all())
    statuses = Counter(project_status(project=p).code for p in projects)
    assert len(projects) >= 30
    assert statuses["publie"] >= 25 and statuses["moderation"] >= 3 and statuses["brouillon"] >= 1
    live = ProjectPage.objects.live()
    assert live.values("themes__domain").distinct().count() >= 12
    assert live.values("locations__territory__region_code").distinct().count() >= 12
    assert all(p.owner_id for p in projects if not p.live)
    assert live.filter(owner__isnull=True).exists()  # claimable ones, from a partner


def test_setup_twice_changes_nothing(settings):
    settings.EMBEDDED_DATABASE = True
    call_command("setup_carrefour", verbosity=0)
    first = _snapshot()
    call_command("setup_carrefour", verbosity=0)
    assert _snapshot() == first


def test_setup_seeds_synonyms_once_and_leaves_the_editors_list_alone(settings):
    from search.models import SearchSynonym

    settings.EMBEDDED_DATABASE = True
    call_command("setup_carrefour", "--no-demo", verbosity=0)
    assert SearchSynonym.objects.filter(terms__icontains="économie sociale").exists()
    SearchSynonym.objects.filter(terms__icontains="économie sociale").delete()
    call_command("setup_carrefour", "--no-demo", verbosity=0)
    assert not SearchSynonym.objects.filter(terms__icontains="économie sociale").exists()


def test_demo_accounts_cannot_log_in_outside_the_embedded_default(settings):
    settings.EMBEDDED_DATABASE = False
    call_command("setup_carrefour", verbosity=0)
    editor = get_user_model().objects.get(email="editeur@carrefour.test")
    assert not editor.has_usable_password()
