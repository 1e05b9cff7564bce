"""A view restriction set on a live page (after publication, as an editor does in
the admin) takes the page out of every search surface for those it excludes, at
once; removing it brings the page back; and a full reconciliation repairs an index
that drifted from the database whatever the cause."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Page, PageViewRestriction

from search.indexing import reconcile, reindex

pytestmark = pytest.mark.django_db

TITLE = "Conserverie solidaire du plateau"

# Every anonymous surface drawn from the index: (name, URL with the query).
SURFACES = {
    "api": "/api/v1/search?q=conserverie",
    "page": "/recherche/?q=conserverie",
    "suggestions": "/recherche/suggestions?q=conserv",
    "csv": "/recherche/export.csv?q=conserverie",
    "geojson": "/recherche/export.geojson?q=conserverie",
    "atom": "/recherche/flux.atom?q=conserverie",
    "rss": "/recherche/flux.rss?q=conserverie",
}


def _seen_on(client, surface: str) -> bool:
    response = client.get(SURFACES[surface])
    assert response.status_code == 200, (surface, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode().replace("<mark>", "").replace("</mark>", "")  # highlights
    return TITLE in text


@pytest.fixture
def project(use_backend, make_project):
    project = make_project(title=TITLE, commune="23096")
    reindex()
    return project


def _restrict(page, captured, kind: str, groups=()):
    with captured(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=kind, password="secret" if kind == "password" else ""
        )
        if groups:
            restriction.groups.set(groups)
    return restriction


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize(
    "kind",
    [PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD, PageViewRestriction.GROUPS],
)
def test_restriction_added_after_publication_hides_the_project_from_anonymous_search(
    client, project, django_capture_on_commit_callbacks, kind, surface
):
    assert _seen_on(client, surface)
    groups = [Group.objects.get(name="Modérateurs")] if kind == PageViewRestriction.GROUPS else []
    restriction = _restrict(project, django_capture_on_commit_callbacks, kind, groups)
    assert not _seen_on(client, surface)
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert _seen_on(client, surface)


def test_members_and_group_members_find_what_their_restriction_lets_them_open(
    client, project, django_capture_on_commit_callbacks, user, moderator
):
    _restrict(project, django_capture_on_commit_callbacks, PageViewRestriction.LOGIN)
    client.force_login(user)
    assert _seen_on(client, "api")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=project).delete()
        restriction = PageViewRestriction.objects.create(
            page=project, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(Group.objects.get(name="Modérateurs"))
    client.force_login(user)
    assert not _seen_on(client, "api")
    client.force_login(moderator)
    assert _seen_on(client, "api")


def test_a_password_restriction_keeps_the_page_out_of_search_for_everyone(
    client, project, django_capture_on_commit_callbacks, editor
):
    _restrict(project, django_capture_on_commit_callbacks, PageViewRestriction.PASSWORD)
    client.force_login(editor)
    assert not _seen_on(client, "api")


def test_restricting_an_ancestor_hides_every_page_below_it(
    client, project, django_capture_on_commit_callbacks
):
    index = Page.objects.get(pk=project.get_parent().pk)
    _restrict(index, django_capture_on_commit_callbacks, PageViewRestriction.LOGIN)
    assert not _seen_on(client, "api")


def test_moving_a_page_under_a_restricted_page_hides_it(
    client, use_backend, site_pages, django_capture_on_commit_callbacks, editor
):
    from cms.models import EditorialPage

    home = site_pages
    open_parent = home.add_child(instance=EditorialPage(title="Ressources", slug="ressources-x"))
    closed = home.add_child(
        instance=EditorialPage(title="Espace partenaires", slug="partenaires-x")
    )
    page = open_parent.add_child(instance=EditorialPage(title=TITLE, slug="conserverie"))
    for item in (open_parent, closed, page):
        item.save_revision(user=editor).publish(user=editor)
    reindex()
    assert _seen_on(client, "api")
    _restrict(closed, django_capture_on_commit_callbacks, PageViewRestriction.LOGIN)
    assert _seen_on(client, "api")
    with django_capture_on_commit_callbacks(execute=True):
        page.refresh_from_db()
        page.move(closed, pos="last-child", user=editor)
    assert not _seen_on(client, "api")


def test_full_reconciliation_repairs_what_the_queue_missed(client, project, use_backend):
    # A restriction written behind the signals' back (raw SQL, a restored backup…).
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=project, restriction_type=PageViewRestriction.LOGIN)]
    )
    # And a document nobody deletes: its object is gone.
    from search.documents import SearchDocument

    use_backend.index(
        [SearchDocument(kind="project", object_id="987654", url="/x/", title="Orphan")]
    )
    assert _seen_on(client, "api")
    report = reconcile()
    assert report.repaired == 1 and f"project:{project.pk}" in report.repaired_keys
    assert report.removed == 1 and report.removed_keys == ["project:987654"]
    assert not _seen_on(client, "api")
    again = reconcile()
    assert (again.repaired, again.removed) == (0, 0)
    assert again.checked == report.checked


def test_search_sync_full_command_reports_the_repairs(project, use_backend, capsys):
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=project, restriction_type=PageViewRestriction.LOGIN)]
    )
    call_command("search_sync", "--full")
    out = capsys.readouterr().out
    assert "1 réparés" in out and f"réparé : project:{project.pk}" in out
    call_command("search_sync", "--full")
    assert "0 réparés, 0 retirés" in capsys.readouterr().out
