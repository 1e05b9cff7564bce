"""A member's proposal of a community (field names are those of ``CommunityInput``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import GroupedCheckboxSelectMultiple, SiteForm
from innovations.models import Theme
from innovations.selectors import grouped_theme_choices, territory_label, territory_resolve

from ..models import JoinPolicy, Kind, Visibility
from ..services import CommunityInput
from ._common import MESSAGE_MAX


class ProposalForm(SiteForm):
    """Field names are those of ``CommunityInput``."""

    name = forms.CharField(label=_("Nom de la communauté"), max_length=120)
    short_description = forms.CharField(
        label=_("Description courte"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text=_("Une ou deux phrases montrées dans l'annuaire (300 caractères)."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices, initial=Kind.THEMATIQUE)
    presentation = forms.CharField(
        label=_("Présentation"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Séparez les paragraphes par une ligne vide."),
    )
    themes = forms.TypedMultipleChoiceField(
        label=_("Sous-thèmes"),
        required=False,
        coerce=int,
        widget=GroupedCheckboxSelectMultiple,
    )
    territory = forms.CharField(
        label=_("Territoire"),
        required=False,
        max_length=150,
        help_text=_("Une commune, un département ou une région (facultatif)."),
        widget=forms.TextInput(attrs={"data-territory-autocomplete": "", "autocomplete": "off"}),
    )
    visibility = forms.ChoiceField(
        label=_("Visibilité"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    join_policy = forms.ChoiceField(
        label=_("Adhésion"), choices=JoinPolicy.choices, initial=JoinPolicy.OPEN
    )
    charter = forms.CharField(
        label=_("Charte"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que les membres acceptent en rejoignant la communauté (facultatif)."),
    )
    contact_email = forms.EmailField(
        label=_("Contact des animateurs"),
        required=False,
        error_messages={"invalid": _("Saisissez une adresse e-mail valide.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = grouped_theme_choices()
        self.fields["name"].error_messages["required"] = _("Donnez un nom à la communauté.")
        self.fields["short_description"].error_messages["required"] = _(
            "Décrivez la communauté en une ou deux phrases."
        )

    def clean_territory(self):
        text = self.cleaned_data.get("territory", "").strip()
        if not text:
            return None
        resolution = territory_resolve(text)
        if resolution.territory is None:
            if resolution.candidates:
                options = " ; ".join(territory_label(t) for t in resolution.candidates[:6])
                raise ValidationError(_("Précisez le territoire : %s.") % options)
            raise ValidationError(_("Territoire inconnu : vérifiez le nom ou le code."))
        return resolution.territory

    def to_input(self) -> CommunityInput:
        data = self.cleaned_data
        territory = data.get("territory")
        return CommunityInput(
            name=data["name"],
            short_description=data["short_description"],
            kind=data["kind"],
            presentation=data["presentation"],
            visibility=data["visibility"],
            join_policy=data["join_policy"],
            charter=data["charter"],
            contact_email=data["contact_email"],
            themes=list(Theme.objects.filter(pk__in=data.get("themes") or [])),
            territories=[territory] if territory else [],
        )
