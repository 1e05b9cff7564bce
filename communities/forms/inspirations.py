"""« S'en inspirer » (issue 16): the request a member sends a project's team, and the
team's answer. Field names are the services' (``territory``, ``organisation``,
``message``), so that a service's refusal lands on its field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm
from innovations.selectors import territory_label, territory_resolve

from ..models.inspiration import MESSAGE_MAX, ORGANISATION_MAX


class InspirationForm(SiteForm):
    """The territory is typed (or picked in the autocomplete of communes,
    départements and régions, static/js/territory-autocomplete.js) and resolved on
    the server, so the form works the same without JavaScript."""

    territory = forms.CharField(
        label=_("Où voulez-vous vous en inspirer ?"),
        max_length=150,
        help_text=_("Une commune, un département ou une région : un nom ou un code postal."),
        widget=forms.TextInput(attrs={"data-territory-autocomplete": "", "autocomplete": "off"}),
        error_messages={
            "required": _(
                "Indiquez où vous voulez vous en inspirer : une commune, un département ou une "
                "région."
            )
        },
    )
    organisation = forms.CharField(
        label=_("Pour quelle organisation ?"),
        max_length=ORGANISATION_MAX,
        help_text=_("Votre association, collectivité, entreprise, collectif…"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={
            "required": _(
                "Indiquez pour quelle organisation (association, collectivité, collectif…)."
            ),
            "max_length": _(
                "Le nom de l'organisation est trop long (%(limit_value)d caractères au plus)."
            ),
        },
    )
    message = forms.CharField(
        label=_("Pourquoi ce projet vous inspire-t-il ?"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Votre situation, ce que vous voudriez reproduire, vos questions : l'équipe le lit "
            "avant de vous répondre."
        ),
        error_messages={
            "required": _("Dites en quelques mots à l'équipe pourquoi ce projet vous inspire."),
            "max_length": _("Le message est trop long (%(limit_value)d caractères au plus)."),
        },
    )

    def clean_territory(self):
        text = self.cleaned_data.get("territory", "").strip()
        resolution = territory_resolve(text)
        if resolution.territory is None:
            if resolution.candidates:
                options = " ; ".join(territory_label(t) for t in resolution.candidates[:6])
                raise ValidationError(
                    _("Plusieurs territoires portent ce nom : précisez lequel (%(options)s).")
                    % {"options": options},
                    code="ambiguous",
                )
            raise ValidationError(
                _("Territoire inconnu : vérifiez le nom ou le code postal."), code="unknown"
            )
        return resolution.territory

    @classmethod
    def initial_for(cls, user) -> dict:
        """What the form starts with: the member's organisation and territory from
        their profile."""
        profile = getattr(user, "profile", None)
        if profile is None:
            return {}
        initial = {"organisation": profile.organisation}
        if profile.home_territory_id:
            initial["territory"] = territory_label(profile.home_territory)
        return initial


class InspirationDecisionForm(SiteForm):
    """The team's answer: accept (message optional: the conversation's first
    message) or decline (message required, checked by the service)."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accepter")), ("decline", _("Décliner"))],
        widget=forms.HiddenInput,
    )
    message = forms.CharField(
        label=_("Votre message"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Le message est trop long (%(limit_value)d caractères au plus)."),
        },
    )


class InspirationPauseForm(SiteForm):
    paused = forms.TypedChoiceField(
        choices=[("1", _("Mettre en pause")), ("0", _("Reprendre"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
