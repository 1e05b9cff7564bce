"""Wagtail admin integration: taxonomy and sources as snippets, the claims screen."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_imports, admin_views
from .models import Method, Public, Source, Theme, ThemeDomain
from .permissions import is_editor


class ThemeDomainViewSet(SnippetViewSet):
    model = ThemeDomain
    icon = "folder-open-inverse"
    list_display = ["label", "code", "sort_order"]
    ordering = ["sort_order", "label"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["label", "code", "domain"]
    list_filter = ["domain"]
    ordering = ["domain__sort_order", "sort_order", "label"]


class PublicViewSet(SnippetViewSet):
    model = Public
    icon = "group"
    list_display = ["label", "code"]


class MethodViewSet(SnippetViewSet):
    model = Method
    icon = "cogs"
    list_display = ["label", "code"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Taxonomie")
    menu_icon = "tag"
    menu_order = 300
    items = (ThemeDomainViewSet, ThemeViewSet, PublicViewSet, MethodViewSet)


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "site"
    menu_label = _("Sources partenaires")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "slug", "website"]


register_snippet(TaxonomyGroup)
register_snippet(SourceViewSet)


@hooks.register("register_admin_urls")
def register_claims_urls():
    return [
        path(
            "revendications/",
            include(
                (admin_views.urlpatterns, "innovations_claims"), namespace="innovations_claims"
            ),
        ),
        path(
            "imports/",
            include(
                (admin_imports.urlpatterns, "innovations_imports"), namespace="innovations_imports"
            ),
        ),
    ]


class EditorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_editor(request.user)


@hooks.register("register_admin_menu_item")
def register_imports_menu_item():
    return EditorMenuItem(
        _("Imports des partenaires"),
        reverse("innovations_imports:index"),
        icon_name="download",
        order=315,
    )


class ClaimsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_editor(request.user)


@hooks.register("register_admin_menu_item")
def register_claims_menu_item():
    return ClaimsMenuItem(
        _("Revendications"), reverse("innovations_claims:index"), icon_name="user", order=320
    )
