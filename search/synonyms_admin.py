"""The editors' synonyms in the Wagtail admin (Paramètres, « Synonymes »): a line of
equivalent terms, validated by search/synonyms.py (two terms at least, each with a
word the search keeps). Access follows the model's permissions (add, change, delete,
view ``searchsynonym``), as for any Wagtail model viewset."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet

from .models import SearchSynonym
from .synonyms import synonym_terms_parse


class SynonymForm(WagtailAdminModelForm):
    def clean_terms(self) -> str:
        # The one parser the search uses: what is saved is what will be applied.
        return ", ".join(synonym_terms_parse(text=self.cleaned_data.get("terms", "")))


class SynonymViewSet(ModelViewSet):
    model = SearchSynonym
    name = "synonymes"
    url_prefix = "recherche/synonymes"
    icon = "search"
    menu_label = _("Synonymes")
    add_to_settings_menu = True
    menu_order = 850
    list_display = ["terms", "note", "is_active", "updated_at"]
    list_filter = ["is_active"]
    ordering = ["terms"]
    edit_handler = ObjectList(
        [FieldPanel("terms"), FieldPanel("note"), FieldPanel("is_active")],
        base_form_class=SynonymForm,
    )
