"""The directory's filters, joining and the moderators' forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm
from innovations.models import Territory, TerritoryLevel, Theme, ThemeDomain

from ..models import JoinPolicy, Kind
from ._common import MESSAGE_MAX

# --- the directory ------------------------------------------------------------------


class DirectoryFilterForm(SiteForm):
    """The GET form of /communautes/: every field optional, an unknown value is
    ignored (a shared link with a stale filter still shows the directory)."""

    q = forms.CharField(label=_("Mots-clés"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous les types")), *Kind.choices]
    )
    domaine = forms.ModelChoiceField(
        label=_("Domaine"),
        required=False,
        queryset=ThemeDomain.objects.all(),
        empty_label=_("Tous les domaines"),
    )
    theme = forms.ModelChoiceField(
        label=_("Sous-thème"),
        required=False,
        queryset=Theme.objects.select_related("domain"),
        empty_label=_("Tous les sous-thèmes"),
    )
    region = forms.ModelChoiceField(
        label=_("Région"),
        required=False,
        queryset=Territory.objects.filter(level=TerritoryLevel.REGION).order_by("name"),
        to_field_name="code",
        empty_label=_("Toutes les régions"),
    )
    departement = forms.ModelChoiceField(
        label=_("Département"),
        required=False,
        queryset=Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).order_by("code"),
        to_field_name="code",
        empty_label=_("Tous les départements"),
    )
    adhesion = forms.ChoiceField(
        label=_("Adhésion"),
        required=False,
        choices=[("", _("Toutes les adhésions")), *JoinPolicy.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].label_from_instance = lambda t: f"{t.code} — {t.name}"

    def filters(self) -> dict:
        """The selector's arguments, from the valid fields only."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        territory = data.get("departement") or data.get("region")
        return {
            "kind": data.get("type", ""),
            "domain": data.get("domaine"),
            "theme": data.get("theme"),
            "territory": territory,
            "join_policy": data.get("adhesion", ""),
            "query": data.get("q", ""),
        }


# --- joining ------------------------------------------------------------------------


class CharterForm(SiteForm):
    """Join an open community, or accept an invitation: the charter, when there is one."""

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        if community.charter.strip():
            self.fields["charter"] = forms.BooleanField(
                label=_("J'ai lu et j'accepte la charte de la communauté"),
                error_messages={
                    "required": _("Acceptez la charte de la communauté pour la rejoindre.")
                },
            )

    @property
    def charter_accepted(self) -> bool:
        return bool(self.cleaned_data.get("charter"))


class RequestForm(CharterForm):
    message = forms.CharField(
        label=_("Votre message aux modérateurs"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Dites en quelques mots pourquoi vous souhaitez rejoindre la communauté."),
        error_messages={
            "required": _("Dites en quelques mots pourquoi vous souhaitez rejoindre la communauté.")
        },
    )

    field_order = ["message", "charter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


# --- moderation ---------------------------------------------------------------------


class DecisionForm(SiteForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("Accepter")), ("refuse", _("Refuser"))],
        widget=forms.HiddenInput,
    )
    message = forms.CharField(
        label=_("Message à la personne (facultatif)"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(SiteForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        error_messages={
            "required": _("Saisissez l'adresse e-mail de la personne à inviter."),
            "invalid": _("Saisissez une adresse e-mail valide."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Message (facultatif)"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Joint à l'e-mail d'invitation."),
    )


MEMBER_ACTIONS = {
    "promote": _("Nommer modérateur ou modératrice"),
    "demote": _("Retirer un rôle"),
    "transfer": _("Transmettre la propriété"),
    "remove": _("Retirer de la communauté"),
    "ban": _("Exclure"),
    "unban": _("Lever l'exclusion"),
}


class MemberActionForm(SiteForm):
    action = forms.ChoiceField(choices=list(MEMBER_ACTIONS.items()), widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message (facultatif)"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MessageForm(SiteForm):
    """An optional message with an action (detach a project, cancel an event)."""

    message = forms.CharField(
        label=_("Message (facultatif)"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["message"].label = label


class AnnouncementForm(SiteForm):
    title = forms.CharField(label=_("Titre de l'annonce"), max_length=200)
    body = forms.CharField(
        label=_("Texte"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Donnez un titre à l'annonce.")
        self.fields["body"].error_messages["required"] = _("Écrivez le texte de l'annonce.")


class ProjectAttachForm(SiteForm):
    project = forms.ModelChoiceField(
        label=_("Projet à rattacher"),
        queryset=None,
        empty_label=_("Choisissez un de vos projets"),
        error_messages={
            "required": _("Choisissez le projet à rattacher."),
            "invalid_choice": _("Choisissez un de vos projets publiés."),
        },
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
