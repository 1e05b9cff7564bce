"""The forms of the channel pages (issue 13): creating and setting up a channel, the
composer, the per-message actions, muting a member, the direct-messages preference.

They only parse what the browser sends: the rules (length, slow mode, who may do
what) and their French refusals live in the services (``ChatRefused``), so a form
posted without JavaScript and a websocket frame are refused the same way.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm

from ..models.chat import (
    BODY_MAX_LENGTH,
    CHANNEL_NAME_MAX_LENGTH,
    REACTIONS,
    REPORT_REASON_MAX_LENGTH,
)
from ..services.channels import SLOW_MODE_MAX, ChannelInput

__all__ = [
    "MUTE_DURATIONS",
    "ChannelForm",
    "ComposerForm",
    "DirectPreferenceForm",
    "MemberMuteForm",
    "MessageEditForm",
    "ReactionForm",
    "ReportForm",
]


class ChannelForm(SiteForm):
    """Create a channel, or change one (moderators)."""

    name = forms.CharField(
        label=_("Nom du salon"),
        max_length=CHANNEL_NAME_MAX_LENGTH,
        error_messages={"required": _("Donnez un nom au salon.")},
    )
    topic = forms.CharField(
        label=_("Sujet (facultatif)"),
        required=False,
        max_length=300,
        help_text=_("Une phrase qui dit de quoi on parle ici."),
    )
    read_only = forms.BooleanField(
        label=_("Annonces : seuls les animateurs et modérateurs écrivent"), required=False
    )
    moderators_only = forms.BooleanField(
        label=_("Réservé aux animateurs et modérateurs"), required=False
    )
    slow_mode_seconds = forms.IntegerField(
        label=_("Mode lent (secondes entre deux messages d'une même personne)"),
        required=False,
        min_value=0,
        max_value=SLOW_MODE_MAX,
        initial=0,
        help_text=_("0 : pas de mode lent ; 3 600 au plus."),
        error_messages={
            "invalid": _("Le mode lent est un nombre de secondes."),
            "min_value": _("Le mode lent va de 0 à 3 600 secondes."),
            "max_value": _("Le mode lent va de 0 à 3 600 secondes."),
        },
    )

    def __init__(self, *args, channel=None, **kwargs):
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": channel.name,
                "topic": channel.topic,
                "read_only": channel.read_only,
                "moderators_only": channel.moderators_only,
                "slow_mode_seconds": channel.slow_mode_seconds,
            }
        super().__init__(*args, **kwargs)

    def to_input(self) -> ChannelInput:
        data = self.cleaned_data
        return ChannelInput(
            name=data["name"],
            topic=data.get("topic") or "",
            read_only=bool(data.get("read_only")),
            moderators_only=bool(data.get("moderators_only")),
            slow_mode_seconds=data.get("slow_mode_seconds") or 0,
        )


class ComposerForm(SiteForm):
    """The plain form that posts a message. ``client_id`` is drawn when the page is
    rendered: a form submitted twice (double click, reload of the POST) carries the
    same one, and the service stores the message once. The body is not validated
    here: the service says what is wrong with it (empty, too long), in French."""

    body = forms.CharField(
        label=_("Votre message"),
        required=False,
        strip=False,
        help_text=_(
            "Mise en forme simple : **gras**, *italique*, `code`, liens. "
            "@prénom.nom pour mentionner quelqu'un. 4 000 caractères au plus."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX_LENGTH}),
    )
    client_id = forms.CharField(required=False, widget=forms.HiddenInput)
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)

    @property
    def reply_to_id(self) -> int | None:
        raw = (self.data.get("reply_to") or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 19 else None


class MessageEditForm(SiteForm):
    edited_body = forms.CharField(
        label=_("Nouveau texte"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX_LENGTH}),
    )


class ReactionForm(SiteForm):
    emoji = forms.ChoiceField(
        choices=list(REACTIONS.items()),
        error_messages={
            "invalid_choice": _("Réaction inconnue."),
            "required": _("Réaction inconnue."),
        },
    )


class ReportForm(SiteForm):
    reason = forms.CharField(
        label=_("Pourquoi signalez-vous ce message ?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REPORT_REASON_MAX_LENGTH}),
    )


# How long a moderator may mute a member (« Réduire au silence »).
MUTE_DURATIONS = {
    "1h": (timedelta(hours=1), _("1 heure")),
    "24h": (timedelta(hours=24), _("24 heures")),
    "7j": (timedelta(days=7), _("7 jours")),
    "30j": (timedelta(days=30), _("30 jours")),
}


class MemberMuteForm(SiteForm):
    duration = forms.ChoiceField(
        label=_("Durée du silence"),
        choices=[(key, label) for key, (_delta, label) in MUTE_DURATIONS.items()],
        initial="24h",
        error_messages={
            "required": _("Choisissez la durée du silence."),
            "invalid_choice": _("Choisissez une durée parmi celles proposées."),
        },
    )

    @property
    def delta(self) -> timedelta:
        return MUTE_DURATIONS[self.cleaned_data["duration"]][0]


class DirectPreferenceForm(SiteForm):
    direct_messages = forms.BooleanField(
        label=_("Accepter les messages directs"),
        required=False,
        help_text=_(
            "Les membres des communautés que vous partagez peuvent vous écrire directement. "
            "L'équipe éditoriale de la plateforme peut toujours vous écrire."
        ),
    )
