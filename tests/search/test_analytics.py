"""The one search analytics: clicks on results counted by /recherche/clic, the
admin report (searches, zero results, clicks, click-through rate, mean position,
CSV), and Wagtail's second, empty « Termes de recherche » report gone."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from search.clicks import ClickError, click_record
from search.models import SearchClick, SearchEntry, SearchQueryDay
from search.selectors import search_analytics

pytestmark = pytest.mark.django_db

CLICK_URL = "/recherche/clic"
REPORT_URL = "/admin/recherche/statistiques/"
CSV_URL = "/admin/recherche/statistiques/export.csv"


def test_clicks_are_recorded_and_aggregated_per_day_query_and_document(client):
    first = client.post(
        CLICK_URL, {"q": "Jardins  Partagés", "key": "project:12", "position": "2", "first": "1"}
    )
    again = client.post(CLICK_URL, {"q": "jardins partages", "key": "project:12", "position": "4"})
    other = client.post(CLICK_URL, {"q": "jardins partages", "key": "page:3", "position": "1"})
    assert (first.status_code, again.status_code, other.status_code) == (204, 204, 204)
    row = SearchClick.objects.get(key="project:12")
    # Normalised like SearchQueryDay's queries: folded, spaces collapsed.
    assert (row.day, row.query) == (timezone.localdate(), "jardins partages")
    assert (row.clicks, row.position_sum, row.first_clicks) == (2, 6, 1)
    assert SearchClick.objects.get(key="page:3").clicks == 1
    stat = search_analytics(days=7)
    assert stat["total_clicks"] == 3


def test_click_service_upserts_on_an_explicit_day():
    day = datetime.date(2026, 1, 15)
    click_record(query="ESS", key="project:1", position=3, day=day, first=True)
    click_record(query="ess", key="project:1", position=5, day=day)
    row = SearchClick.objects.get()
    assert (row.day, row.query, row.clicks, row.position_sum, row.first_clicks) == (
        day,
        "ess",
        2,
        8,
        1,
    )


def test_the_beacon_needs_no_csrf_token():
    response = Client(enforce_csrf_checks=True).post(
        CLICK_URL, {"q": "jardin", "key": "project:1", "position": "1"}
    )
    assert response.status_code == 204
    assert SearchClick.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": "project"}, "Document inconnu"),
        ({"key": "Project:1"}, "Document inconnu"),
        ({"key": "project:" + "1" * 65}, "Document inconnu"),
        ({"key": "project:1/2"}, "Document inconnu"),
        ({"key": "evenement:1"}, "n'est pas recherché"),
        ({"position": "0"}, "Position invalide"),
        ({"position": "1001"}, "Position invalide"),
        ({"position": "deux"}, "Position invalide"),
        ({"position": ""}, "Position invalide"),
        ({"q": "a" * 201}, "200 caractères au plus"),
        ({"q": "jardin\x1b[31m"}, "caractères de contrôle"),
        ({"q": "jardin\x00"}, "caractères de contrôle"),
        ({"q": " ,;! "}, "elle est vide"),
    ],
)
def test_invalid_clicks_are_refused_in_french_and_write_nothing(client, data, message):
    response = client.post(CLICK_URL, {"q": "jardin", "key": "project:1", "position": "1", **data})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()
    assert SearchClick.objects.count() == 0


def test_the_service_refuses_what_the_view_refuses():
    with pytest.raises(ClickError):
        click_record(query="jardin", key="project:1", position=True)
    with pytest.raises(ClickError):
        click_record(query="jardin", key="promoted:1", position=1)
    assert SearchClick.objects.count() == 0


def test_the_beacon_only_accepts_post(client):
    assert client.get(
        CLICK_URL, {"q": "jardin", "key": "project:1", "position": "1"}
    ).status_code == (405)
    assert SearchClick.objects.count() == 0


@pytest.fixture
def analytics_rows():
    """Two days of « jardin » (20 searches, 4 followed by a click), one query that
    never finds anything, and rows outside the 30-day period."""
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    old = today - datetime.timedelta(days=40)
    SearchQueryDay.objects.create(day=today, query="jardin", searches=12, zero_results=0)
    SearchQueryDay.objects.create(day=yesterday, query="jardin", searches=8, zero_results=0)
    SearchQueryDay.objects.create(day=today, query="zzzz introuvable", searches=5, zero_results=5)
    SearchQueryDay.objects.create(day=old, query="jardin", searches=1000, zero_results=0)
    SearchClick.objects.create(
        day=today, query="jardin", key="page:7", clicks=4, position_sum=4, first_clicks=3
    )
    SearchClick.objects.create(
        day=yesterday, query="jardin", key="page:7", clicks=1, position_sum=3, first_clicks=1
    )
    SearchClick.objects.create(
        day=today, query="jardin", key="project:424242", clicks=1, position_sum=5, first_clicks=0
    )
    SearchClick.objects.create(
        day=old, query="jardin", key="page:7", clicks=500, position_sum=500, first_clicks=500
    )
    SearchEntry.objects.create(
        key="page:7",
        kind="page",
        object_id="7",
        url="/jardins/",
        title="Les jardins partagés",
        sort_title="les jardins partages",
    )


def test_report_figures_are_computed_from_the_counters(analytics_rows):
    report = search_analytics(days=30)
    assert (report["total"], report["total_zero"], report["total_clicks"]) == (25, 5, 6)
    assert report["zero_rate_percent"] == pytest.approx(20.0)
    # Searches followed by a click / searches: 4 / 25.
    assert report["clicked_searches"] == 4
    assert report["ctr_percent"] == pytest.approx(16.0)
    jardin = report["top"][0]
    assert (jardin.query, jardin.searches, jardin.clicks) == ("jardin", 20, 6)
    assert jardin.ctr_percent == pytest.approx(20.0)
    assert jardin.mean_position == pytest.approx(12 / 6)
    page, project = jardin.documents
    assert (page.key, page.title, page.url, page.clicks) == (
        "page:7",
        "Les jardins partagés",
        "/jardins/",
        5,
    )
    assert page.mean_position == pytest.approx(7 / 5)
    # Not indexed, not found by its adapter: the report shows the key.
    assert (project.title, project.url) == ("project:424242", "")
    assert [stat.query for stat in report["zero"]] == ["zzzz introuvable"]
    assert report["zero"][0].ctr_percent == 0


def test_editors_see_ctr_zero_results_and_clicked_documents(client, editor, analytics_rows):
    client.force_login(editor)
    html = client.get(REPORT_URL, {"jours": "30"}).content.decode()
    assert "16,0 %" in html  # click-through rate over the period
    assert "20,0 %" in html  # zero-result rate, and « jardin »'s click-through rate
    assert "zzzz introuvable" in html
    assert '<a href="/jardins/">Les jardins partagés</a>' in html
    assert "project:424242" in html
    for days in (7, 30, 90):
        assert f'<option value="{days}"' in html
    # An unknown period falls back to 30 days; 90 days reaches the old rows.
    assert search_analytics(days=90)["total"] == 1025
    assert client.get(REPORT_URL, {"jours": "365"}).context["days"] == 30


def test_csv_export_neutralises_formulas(client, editor, analytics_rows):
    SearchQueryDay.objects.create(
        day=timezone.localdate(), query="=cmd|' /C calc'!A0", searches=3, zero_results=1
    )
    client.force_login(editor)
    response = client.get(CSV_URL, {"jours": "7"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Recherche"
    by_query = {row[0]: row for row in rows[1:]}
    assert "=cmd|' /C calc'!A0" not in by_query
    assert by_query["'=cmd|' /C calc'!A0"][1:3] == ["3", "1"]
    jardin = by_query["jardin"]
    assert jardin[1:8] == ["20", "0", "6", "4", "20.0", "2.0", "page:7"]
    assert jardin[8] == "Les jardins partagés"


def test_report_and_export_are_for_editors_only(client, owner, editor):
    assert client.get(REPORT_URL).status_code == 302  # to the login page
    client.force_login(owner)
    assert client.get(REPORT_URL).status_code in (302, 403)
    assert client.get(CSV_URL).status_code in (302, 403)
    client.force_login(editor)
    assert client.get(REPORT_URL).status_code == 200
    assert client.get(CSV_URL).status_code == 200


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True, email="admin@exemple.org")


def test_wagtail_search_terms_report_is_gone_editors_picks_stay(client, superuser):
    from wagtail.admin.menu import reports_menu

    request = RequestFactory().get("/admin/")
    request.user = superuser
    names = [item.name for item in reports_menu.menu_items_for_request(request)]
    assert "search-terms" not in names
    urls = [item.url for item in reports_menu.menu_items_for_request(request)]
    assert reverse("search_analytics") in urls
    client.force_login(superuser)
    for name in (
        "wagtailsearchpromotions:search_terms",
        "wagtailsearchpromotions:search_terms_results",
    ):
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"]) == (302, reverse("search_analytics"))
    assert client.get(reverse("wagtailsearchpromotions:index")).status_code == 200


def test_result_links_carry_what_the_beacon_sends(client, use_backend, make_project):
    from search.indexing import reindex

    make_project(title="Jardin partagé de Guéret", commune="23096")
    make_project(title="Jardin des sciences", commune="23096")
    reindex()
    html = client.get("/recherche/", {"q": "jardin"}).content.decode()
    assert (
        f'data-search-clicks="{CLICK_URL}" data-search-query="jardin" data-search-page="1"' in html
    )
    assert 'data-search-key="project:' in html
    assert 'data-search-position="1"' in html and 'data-search-position="2"' in html
    # A listing without words is not a search: nothing to attribute a click to.
    assert "data-search-clicks" not in client.get("/recherche/").content.decode()
