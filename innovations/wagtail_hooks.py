"""Wagtail admin integration: taxonomy and sources as snippets, the territory
chooser of a project's places, the claims screen."""

from __future__ import annotations

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_imports, admin_views
from .models import Method, Public, Source, Territory, Theme, ThemeDomain
from .permissions import is_editor
from .selectors import territories_for_chooser


class ThemeDomainViewSet(SnippetViewSet):
    model = ThemeDomain
    icon = "folder-open-inverse"
    list_display = ["label", "label_en", "code", "sort_order"]
    ordering = ["sort_order", "label"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["label", "label_en", "code", "domain"]
    list_filter = ["domain"]
    ordering = ["domain__sort_order", "sort_order", "label"]


class PublicViewSet(SnippetViewSet):
    model = Public
    icon = "group"
    list_display = ["label", "label_en", "code"]


class MethodViewSet(SnippetViewSet):
    model = Method
    icon = "cogs"
    list_display = ["label", "label_en", "code"]


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


# --- the territory chooser ---------------------------------------------------------
# A project's places (ProjectLocation.territory) were a <select> of every territory:
# 35 000 communes, once per place and once more for the « add a place » template, made
# the project edit page weigh megabytes and take seconds. Wagtail's chooser (a button
# opening a searchable modal) replaces it for every admin form with a foreign key to
# Territory; its listing is searched with the site's own autocomplete
# (territories_autocomplete: names without accents, postal and INSEE codes, régions and
# départements first), not Wagtail's search index, which territories are not in.


class TerritorySearchForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Commune, département, région, code postal ou code INSEE"),
        widget=forms.TextInput(attrs={"placeholder": _("Rechercher un territoire")}),
        required=False,
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if not query:
            return objects
        self.is_searching = True
        self.search_query = query
        return territories_for_chooser(query=query)


class TerritoryListingMixin:
    filter_form_class = TerritorySearchForm

    def get_object_list(self):
        return territories_for_chooser()

    @property
    def columns(self):
        return [
            self.title_column,
            Column("level", label=_("Niveau"), accessor="get_level_display"),
        ]


class TerritoryChooseView(TerritoryListingMixin, ChooseView):
    pass


class TerritoryChooseResultsView(TerritoryListingMixin, ChooseResultsView):
    pass


class TerritoryChooserViewSet(ChooserViewSet):
    model = Territory
    icon = "site"
    choose_one_text = _("Choisir un territoire")
    choose_another_text = _("Choisir un autre territoire")
    page_title = _("Choisir un territoire")
    edit_item_text = _("Modifier")
    per_page = 20
    choose_view_class = TerritoryChooseView
    choose_results_view_class = TerritoryChooseResultsView


territory_chooser_viewset = TerritoryChooserViewSet("territory_chooser")


@hooks.register("register_admin_viewset")
def register_territory_chooser():
    return territory_chooser_viewset


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
