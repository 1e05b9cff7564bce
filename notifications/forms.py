"""Forms of the notifications pages (rendered by templates/components/)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm

from .kinds import Delivery, Kind


def field_name(kind: Kind) -> str:
    # A code has no « - » (notifications/kinds.py): the name maps back, and the id
    # (« id_kind-community-request ») needs no escaping in a CSS selector.
    return "kind-" + kind.code.replace(".", "-")


class PreferencesForm(SiteForm):
    """One radio group (fieldset and legend) per registered kind."""

    def __init__(self, *args, kinds: list[tuple[Kind, Delivery]], **kwargs):
        super().__init__(*args, **kwargs)
        self._codes: dict[str, str] = {}
        for kind, mode in kinds:
            name = field_name(kind)
            self._codes[name] = kind.code
            self.fields[name] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=mode.value,
                widget=forms.RadioSelect,
                error_messages={
                    "required": format_lazy(_("Choisissez comment recevoir « {} »."), kind.label)
                },
            )

    def modes(self) -> dict[str, str]:
        """``{kind code: delivery}`` of a valid form."""
        return {code: self.cleaned_data[name] for name, code in self._codes.items()}
