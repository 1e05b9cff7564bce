"""The form of a saved search: its name and how often it sends alerts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm

from .models import AlertFrequency


class SavedSearchForm(SiteForm):
    name = forms.CharField(
        label=_("Nom de la recherche"),
        max_length=120,
        help_text=_("Pour la retrouver dans « Mes recherches » et dans les e-mails."),
    )
    frequency = forms.ChoiceField(
        label=_("Alertes par e-mail"),
        choices=AlertFrequency.choices,
        initial=AlertFrequency.WEEKLY,
        widget=forms.RadioSelect,
        help_text=_("Les nouveaux projets, événements et communautés qui correspondent."),
    )
    params = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
