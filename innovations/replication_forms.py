"""The team's forms of essaimage (issue 16): the replication sheet, a resource, the
« Inspiré de » chooser. They validate input and build the services' arguments; the
services (innovations/services/replication.py) write. Apart from innovations/forms.py,
which holds the project form and is long enough already."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SiteForm, SiteModelForm

from .models import ReplicationSheet
from .models.replication import SHEET_FIELDS, TEXT_MAX
from .services.replication import SheetInput


class SheetForm(SiteModelForm):
    class Meta:
        model = ReplicationSheet
        fields = list(SHEET_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX})
            for name in ("transferable", "success_conditions", "obstacles", "partners_needed")
        } | {"contact_email": forms.EmailInput(attrs={"autocomplete": "email"})}
        help_texts = {
            "readiness": _(
                "« Prêt à essaimer » : d'autres peuvent reprendre le projet dès maintenant, "
                "avec vos outils. Les projets prêts sont signalés dans la recherche."
            ),
            "success_conditions": _("Ce qu'il faut réunir pour que cela marche ailleurs."),
            "obstacles": _(
                "Ce qui a freiné ou failli arrêter le projet, et comment vous l'avez passé."
            ),
            "budget_range": _("Le budget annuel de fonctionnement, ordre de grandeur."),
            "partners_needed": _("Collectivités, financeurs, associations à réunir."),
            "licence": _(
                "Sous quelle licence d'autres peuvent reprendre votre méthode et vos outils."
            ),
            "contact_name": _("La personne à qui écrire pour essaimer (nom ou fonction)."),
        }

    def to_input(self) -> SheetInput:
        return SheetInput(**{name: self.cleaned_data.get(name) or "" for name in SHEET_FIELDS})


class ResourceForm(SiteForm):
    title = forms.CharField(label=_("Titre de la ressource"), max_length=200)
    url = forms.URLField(
        label=_("Adresse web"),
        required=False,
        assume_scheme="https",
        help_text=_("Un guide en ligne, une vidéo, un kit… ou joignez un document ci-dessous."),
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_(
            "PDF, ODT, DOCX, XLSX, PPTX, CSV ou TXT ; 10 Mo au plus ; sans macros ni scripts."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.odt,.ods,.odp,.docx,.xlsx,.pptx,.csv,.txt"}
        ),
    )


class LineageSearchForm(SiteForm):
    q = forms.CharField(
        label=_("Chercher le projet qui vous a inspiré"),
        max_length=100,
        min_length=2,
        help_text=_("Son nom, ou des mots de sa présentation."),
    )
