"""The gaps map's domain choice (a GET form: it works without JavaScript)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class GapsDomainForm(forms.Form):
    domaine = forms.ChoiceField(
        label=_("Domaine"),
        error_messages={
            "invalid_choice": _(
                "Domaine inconnu : « %(value)s ». Choisissez un domaine dans la liste."
            ),
        },
    )

    def __init__(self, *args, domains: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domaine"].choices = domains
