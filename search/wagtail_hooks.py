"""Wagtail admin: search analytics (top queries, queries without results, over
time) and the documents the search engine refused (dead letters, with its reason)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from .models import SearchDeadLetter
from .selectors import search_analytics

PERMISSION = "search.view_searchqueryday"


def analytics_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    try:
        days = min(max(int(request.GET.get("jours", 30)), 7), 365)
    except ValueError:
        days = 30
    return TemplateResponse(
        request,
        "search/admin/analytics.html",
        {**search_analytics(days=days), "choices": (7, 30, 90, 365)},
    )


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
        path("recherche/refus/", dead_letters, name="search_dead_letters"),
        path("recherche/refus/resultats/", results, name="search_dead_letters_results"),
    ]


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
