"""Wagtail admin: the one search analytics (searches, queries without results,
clicks on results, over time, as CSV) and the documents the search engine refused
(dead letters, with its reason).

wagtail.contrib.search_promotions stays for editors' picks (« Promotions de
recherche »), but its own « Termes de recherche » report is removed: it counts
Wagtail's ``Query`` hits, which this site never feeds, so it would be a second,
empty analytics next to ours."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from core.csvsafe import csv_download

from .models import SearchDeadLetter
from .selectors import PERIODS, period_days, search_analytics, search_analytics_csv_rows

PERMISSION = "search.view_searchqueryday"
# The menu item search_promotions registers for its « Search terms » report.
WAGTAIL_SEARCH_TERMS_MENU_ITEM = "search-terms"


def analytics_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    days = period_days(request.GET.get("jours"))
    return TemplateResponse(
        request,
        "search/admin/analytics.html",
        {**search_analytics(days=days), "choices": PERIODS},
    )


def analytics_csv_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    days = period_days(request.GET.get("jours"))
    filename = f"statistiques-recherche-{timezone.localdate():%Y-%m-%d}-{days}j.csv"
    return csv_download(search_analytics_csv_rows(days=days), filename=filename)


def wagtail_search_terms_view(request, *args, **kwargs):
    """Where search_promotions' « Termes de recherche » report was: one analytics,
    ours (its ``Query`` hit counts are never fed here)."""
    return HttpResponseRedirect(reverse("search_analytics"))


class DeadLettersView(ReportView):
    """Documents the engine refused as written (a mapping or parse error): they are
    not retried until changed; each leaves the list once indexed again."""

    page_title = _("Documents refusés par le moteur")
    header_icon = "warning"
    model = SearchDeadLetter
    index_url_name = "search_dead_letters"
    index_results_url_name = "search_dead_letters_results"
    list_export = ["key", "reason", "attempts", "first_failed_at", "last_failed_at"]
    columns = [
        Column("key", label=_("Document")),
        Column("reason", label=_("Raison")),
        Column("attempts", label=_("Tentatives")),
        DateColumn("first_failed_at", label=_("Premier échec")),
        DateColumn("last_failed_at", label=_("Dernier échec")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return SearchDeadLetter.objects.order_by("-last_failed_at")

    @property
    def permission_policy(self):
        return None  # checked in dispatch: the search permission, like analytics


@hooks.register("register_admin_urls")
def register_analytics_url():
    dead_letters = DeadLettersView.as_view()
    results = DeadLettersView.as_view(results_only=True)
    return [
        path("recherche/statistiques/", analytics_view, name="search_analytics"),
        path("recherche/statistiques/export.csv", analytics_csv_view, name="search_analytics_csv"),
        path("recherche/refus/", dead_letters, name="search_dead_letters"),
        path("recherche/refus/resultats/", results, name="search_dead_letters_results"),
    ]


# Registered before search_promotions' own URLs (order=-1): Django resolves the
# first match, so its « Search terms » report and its results URL are never
# reached (its URL names still reverse, to this redirect). One analytics, ours.
@hooks.register("register_admin_urls", order=-1)
def replace_wagtail_search_terms_urls():
    return [
        path("searchpicks/reports/search-terms/", wagtail_search_terms_view),
        path("searchpicks/reports/search-terms/results/", wagtail_search_terms_view),
    ]


@hooks.register("construct_reports_menu")
def hide_wagtail_search_terms_report(request, menu_items):
    """One search analytics in the Reports menu: ours, not search_promotions'."""
    menu_items[:] = [item for item in menu_items if item.name != WAGTAIL_SEARCH_TERMS_MENU_ITEM]


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_reports_menu_item")
def register_analytics_menu_item():
    return AnalyticsMenuItem(
        _("Statistiques de recherche"), reverse("search_analytics"), icon_name="search", order=800
    )


@hooks.register("register_reports_menu_item")
def register_dead_letters_menu_item():
    return AnalyticsMenuItem(
        _("Documents refusés par le moteur"),
        reverse("search_dead_letters"),
        icon_name="warning",
        order=810,
    )


@hooks.register("register_admin_viewset")
def register_synonyms_viewset():
    """Editors' synonyms and acronyms (search/synonyms_admin.py)."""
    from .synonyms_admin import SynonymViewSet

    return SynonymViewSet("synonymes")
