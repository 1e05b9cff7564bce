"""Wagtail admin: search analytics (top queries, queries without results, over time)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

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


@hooks.register("register_admin_urls")
def register_analytics_url():
    return [path("recherche/statistiques/", analytics_view, name="search_analytics")]


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_reports_menu_item")
def register_analytics_menu_item():
    return AnalyticsMenuItem(
        _("Statistiques de recherche"), reverse("search_analytics"), icon_name="search", order=800
    )
