"""The forms of events: a moderator's event, a member's answer."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm
from innovations.models import TerritoryLevel
from innovations.selectors import territory_label, territory_resolve

from ..models import DEFAULT_TIMEZONE, Answer
from ..services import EventInput

TIMEZONES = sorted(
    z for z in available_timezones() if z.startswith(("Europe/", "America/", "Indian/", "Pacific/"))
)


class RsvpForm(SiteForm):
    answer = forms.ChoiceField(choices=Answer.choices)


class EventForm(SiteForm):
    """Field names are those of ``EventInput``: the service's errors land on them."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    start = forms.DateTimeField(
        label=_("Début"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Date et heure, dans le fuseau horaire choisi ci-dessous."),
    )
    end = forms.DateTimeField(
        label=_("Fin"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    timezone = forms.ChoiceField(label=_("Fuseau horaire"), initial=DEFAULT_TIMEZONE)
    commune = forms.CharField(
        label=_("Commune"),
        required=False,
        max_length=150,
        help_text=_("Nom ou code postal, par exemple « Guéret (23) »."),
        widget=forms.TextInput(attrs={"data-territory-autocomplete": "", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Adresse"), required=False, max_length=300)
    online_url = forms.URLField(
        label=_("Lien pour participer en ligne"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Saisissez une adresse web complète (https://…).")},
    )
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        required=False,
        min_value=1,
        help_text=_("Laissez vide s'il n'y a pas de limite."),
        error_messages={"min_value": _("Indiquez au moins une place, ou rien.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in TIMEZONES]
        self.fields["title"].error_messages["required"] = _("Donnez un titre à l'événement.")
        for name in ("start", "end"):
            self.fields[name].error_messages.update(
                required=_("Indiquez la date et l'heure."),
                invalid=_("Saisissez une date et une heure valides."),
            )

    def clean_commune(self):
        text = self.cleaned_data.get("commune", "").strip()
        if not text:
            return None
        resolution = territory_resolve(text)
        found = resolution.territory
        if found is None or found.level != TerritoryLevel.COMMUNE:
            communes = [t for t in resolution.candidates if t.level == TerritoryLevel.COMMUNE]
            if len(communes) == 1:
                return communes[0]
            if communes:
                options = " ; ".join(territory_label(t) for t in communes[:6])
                raise ValidationError(_("Plusieurs communes portent ce nom : %s.") % options)
            raise ValidationError(_("Commune inconnue : vérifiez le nom ou le code postal."))
        return found

    def to_input(self) -> EventInput:
        data = self.cleaned_data
        # The form reads the naive date in the chosen zone (the service does too).
        start, end = data["start"], data["end"]
        return EventInput(
            title=data["title"],
            description=data["description"],
            start=start.replace(tzinfo=None) if start else start,
            end=end.replace(tzinfo=None) if end else end,
            timezone=data["timezone"],
            commune=data["commune"],
            address=data["address"],
            online_url=data["online_url"],
            capacity=data["capacity"],
        )

    @classmethod
    def initial_for(cls, event) -> dict:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(event.timezone)
        return {
            "title": event.title,
            "description": event.description,
            "start": event.start.astimezone(zone).replace(tzinfo=None),
            "end": event.end.astimezone(zone).replace(tzinfo=None),
            "timezone": event.timezone,
            "commune": territory_label(event.commune) if event.commune else "",
            "address": event.address,
            "online_url": event.online_url,
            "capacity": event.capacity,
        }
