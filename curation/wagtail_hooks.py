"""Curation in the Wagtail admin: selections and topic introductions as snippets
(editors only), the editors' panel on the admin home, and the rule that only
editors edit the home page and dossiers (moderators review projects, they do not
curate)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import HomePage
from innovations.permissions import is_editor

from .models import DossierPage, Selection, TopicIntroduction
from .selectors.dashboard import editors_dashboard

CURATED_PAGE_TYPES = (HomePage, DossierPage)


class SelectionViewSet(SnippetViewSet):
    model = Selection
    icon = "pick"
    menu_label = _("Sélections")
    list_display = ["name", "starts_at", "ends_at", "updated_at"]
    search_fields = ["name"]


class TopicIntroductionViewSet(SnippetViewSet):
    model = TopicIntroduction
    icon = "doc-full"
    menu_label = _("Pages thèmes et territoires")
    list_display = ["__str__", "updated_at"]
    list_filter = ["kind"]


class CurationGroup(SnippetViewSetGroup):
    items = (SelectionViewSet, TopicIntroductionViewSet)
    menu_icon = "pick"
    menu_label = _("Mise en avant")
    menu_name = "mise-en-avant"
    menu_order = 290


register_snippet(CurationGroup)


def _refusal(request, message: str):
    """Back to the admin home with the reason (a hook's response replaces the view)."""
    messages.error(request, message)
    return redirect("wagtailadmin_home")


@hooks.register("before_edit_page")
def only_editors_edit_curated_pages(request, page):
    if isinstance(page.specific_deferred, CURATED_PAGE_TYPES) and not is_editor(request.user):
        return _refusal(
            request, _("Seuls les éditeurs composent la page d'accueil et les dossiers.")
        )
    return None


@hooks.register("before_delete_page")
def only_editors_delete_curated_pages(request, page):
    return only_editors_edit_curated_pages(request, page)


@hooks.register("before_create_page")
def only_editors_create_dossiers(request, parent_page, page_class):
    if issubclass(page_class, DossierPage) and not is_editor(request.user):
        return _refusal(request, _("Seuls les éditeurs créent des dossiers."))
    return None


class EditorsPanel(Component):
    name = "carrefour_editors"
    order = 50

    def render_html(self, parent_context):
        return render_to_string(
            "curation/admin/editors_panel.html",
            {"dashboard": editors_dashboard()},
            request=parent_context.get("request"),
        )


@hooks.register("construct_homepage_panels")
def add_editors_panel(request, panels):
    if is_editor(request.user):
        panels.insert(0, EditorsPanel())
