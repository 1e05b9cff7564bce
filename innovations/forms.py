"""Public forms of the innovations app. They validate input and build the
services' dataclasses; the services write."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from cms.blocks import TEXT_BLOCKS, stream_text
from core.forms import GroupedCheckboxSelectMultiple, SiteForm, SiteFormMixin

from .geo import in_france
from .models import LegalStatus, Method, Public, Scale, Stage, Theme
from .models.projects import SDG_LABELS
from .selectors import grouped_theme_choices, territory_label, territory_resolve
from .services.projects import LocationInput, ProjectInput
from .validators import validate_siret


class ProjectForm(SiteForm):
    title = forms.CharField(label=_("Nom du projet"), max_length=200)
    summary = forms.CharField(
        label=_("Résumé"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_(
            "Une ou deux phrases : ce que fait le projet, pour qui. 300 caractères au plus."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Ce que vous faites, comment, avec qui, vos résultats, ce qu'il faut pour le "
            "reproduire. Séparez les paragraphes par une ligne vide ; une ligne qui commence "
            "par « ## » devient un intertitre, par « - » un élément de liste ; "
            "[texte](https://…) fait un lien."
        ),
    )
    video_url = forms.URLField(
        label=_("Vidéo de présentation"),
        required=False,
        assume_scheme="https",
        help_text=_("Adresse d'une vidéo YouTube, Vimeo ou PeerTube (facultatif)."),
    )
    image = forms.FileField(
        label=_("Image principale ou logo"),
        required=False,
        help_text=_("JPEG, PNG, WebP ou GIF, 8 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    image_alt = forms.CharField(
        label=_("Description de l'image"),
        required=False,
        max_length=250,
        help_text=_("Pour les personnes qui ne voient pas l'image. Laissez vide pour un logo."),
    )
    remove_image = forms.BooleanField(label=_("Retirer l'image actuelle"), required=False)
    structure_name = forms.CharField(label=_("Structure porteuse"), max_length=200, required=False)
    legal_status = forms.ChoiceField(
        label=_("Statut juridique"), choices=[("", "—"), *LegalStatus.choices], required=False
    )
    siret = forms.CharField(
        label=_("SIRET"),
        required=False,
        max_length=20,
        validators=[validate_siret],
        help_text=_("14 chiffres (facultatif)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    themes = forms.TypedMultipleChoiceField(
        label=_("Thèmes"),
        coerce=int,
        widget=GroupedCheckboxSelectMultiple,
        help_text=_("Un à trois sous-thèmes."),
    )
    publics = forms.ModelMultipleChoiceField(
        label=_("Publics"),
        queryset=Public.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    methods = forms.ModelMultipleChoiceField(
        label=_("Méthodes"),
        queryset=Method.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stage = forms.ChoiceField(label=_("Stade"), choices=[("", "—"), *Stage.choices], required=False)
    scale = forms.ChoiceField(
        label=_("Échelle d'action"), choices=[("", "—"), *Scale.choices], required=False
    )
    year_started = forms.IntegerField(
        label=_("Année de lancement"), required=False, min_value=1850, max_value=2100
    )
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Objectifs de développement durable"),
        coerce=int,
        required=False,
        choices=[(number, f"{number}. {label}") for number, label in SDG_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=500,
        help_text=_("Séparés par des virgules, par exemple : repair café, réemploi."),
    )
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    links = forms.CharField(
        label=_("Réseaux sociaux"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une adresse par ligne."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail de contact public"),
        required=False,
        help_text=_("Affiché sur la page, protégé des robots collecteurs d'adresses."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = grouped_theme_choices()

    def clean_themes(self) -> list[int]:
        themes = self.cleaned_data["themes"]
        if len(themes) > 3:
            raise forms.ValidationError(_("Choisissez au plus trois sous-thèmes."))
        return themes

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "")
        tags = [t.strip().lower() for t in raw.split(",") if t.strip()]
        if any(len(t) > 60 for t in tags):
            raise forms.ValidationError(_("Un mot-clé fait 60 caractères au plus."))
        return list(dict.fromkeys(tags))[:15]

    def clean_links(self) -> list[str]:
        validate = URLValidator(schemes=["http", "https"])
        links = []
        for line in self.cleaned_data.get("links", "").splitlines():
            url = line.strip()
            if not url:
                continue
            if "://" not in url:
                url = f"https://{url}"
            try:
                validate(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("« %(url)s » n'est pas une adresse web valide.") % {"url": line.strip()}
                ) from None
            links.append(url)
        return links[:8]

    def clean_siret(self) -> str:
        return self.cleaned_data.get("siret", "").replace(" ", "")


class KeyFigureForm(SiteForm):
    figure = forms.CharField(label=_("Chiffre"), max_length=30, required=False)
    label = forms.CharField(label=_("Ce qu'il mesure"), max_length=120, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("figure")) != bool(data.get("label")):
            raise forms.ValidationError(_("Indiquez le chiffre et ce qu'il mesure."))
        return data


class LocationForm(SiteForm):
    territory = forms.CharField(
        label=_("Commune, département ou région"),
        max_length=150,
        required=False,
        help_text=_("Nom, code postal ou code INSEE. Exemple : « Guéret (23) » ou « Creuse »."),
        widget=forms.TextInput(attrs={"data-territory-autocomplete": "", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Adresse"),
        max_length=250,
        required=False,
        help_text=_("Facultatif : numéro et rue, si le projet accueille du public."),
    )
    # Advanced, shown folded (« Coordonnées précises (facultatif) »): without them the
    # place sits at the centre of its commune, département or région.
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("En degrés décimaux, par exemple 46.17."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("En degrés décimaux, par exemple 1.87."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def clean(self):
        data = super().clean()
        text = data.get("territory", "")
        lat, lon = data.get("latitude"), data.get("longitude")
        if not text:
            if data.get("address") or lat is not None or lon is not None:
                self.add_error("territory", _("Indiquez la commune, le département ou la région."))
            return data
        resolution = territory_resolve(text)
        if resolution.territory is None:
            if resolution.candidates:
                options = " ; ".join(territory_label(t) for t in resolution.candidates[:6])
                self.add_error(
                    "territory",
                    _("Plusieurs territoires correspondent, précisez : %(options)s.")
                    % {"options": options},
                )
            else:
                self.add_error("territory", _("Territoire inconnu : vérifiez le nom ou le code."))
        data["territory_obj"] = resolution.territory
        if (lat is None) != (lon is None):
            self.add_error(
                "latitude", _("Indiquez la latitude et la longitude, ou aucune des deux.")
            )
        elif lat is not None and not in_france(lat, lon):
            self.add_error("latitude", _("Ces coordonnées sont en dehors de la France."))
        return data


class BaseRowFormSet(SiteFormMixin, forms.BaseFormSet):
    def filled_forms(self):
        return [f for f in self.forms if f.cleaned_data and any(f.cleaned_data.values())]


KeyFigureFormSet = forms.formset_factory(KeyFigureForm, formset=BaseRowFormSet, extra=0, max_num=6)
LocationFormSet = forms.formset_factory(LocationForm, formset=BaseRowFormSet, extra=0, max_num=10)


# The « Ajouter un lieu » button: a submit button, so it works without JavaScript.
ADD_LOCATION = "ajouter-lieu"


def _typed_values(form: forms.BaseForm, data) -> dict:
    """What was typed in a bound form's fields (files aside: a browser never re-sends
    them), as initial values for the same form shown again."""
    return {
        name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        for name, field in form.fields.items()
        if not isinstance(field, forms.FileField)
    }


class ProjectFormBundle:
    """The project form with its location and key-figure rows, handled as one."""

    def __init__(self, data=None, files=None, *, initial=None, locations=None, figures=None):
        # « Ajouter un lieu »: the same form again, as typed, with one more empty place
        # and no error message (an unfinished form is not a wrong one); nothing is saved.
        self.adding_location = data is not None and ADD_LOCATION in data
        self.image_dropped = False
        if self.adding_location:
            initial = _typed_values(ProjectForm(prefix="projet"), data)
            typed_locations = LocationFormSet(data, prefix="lieux")
            typed_figures = KeyFigureFormSet(data, prefix="chiffres")
            locations = [_typed_values(row, data) for row in typed_locations.forms]
            figures = [_typed_values(row, data) for row in typed_figures.forms]
            self.image_dropped = bool(files and files.get("projet-image"))
            data = files = None
        self.main = ProjectForm(data, files, initial=initial, prefix="projet")
        loc_initial = (locations or [])[: LocationFormSet.max_num]
        fig_initial = figures or []
        self.locations = LocationFormSet(data, prefix="lieux", initial=loc_initial, form_kwargs={})
        self.figures = KeyFigureFormSet(data, prefix="chiffres", initial=fig_initial)
        if data is None:
            # One empty place to fill (one more on « Ajouter un lieu »), blank key figures.
            wanted = 1 if self.adding_location or not loc_initial else 0
            self.locations.extra = min(wanted, LocationFormSet.max_num - len(loc_initial))
            self.figures.extra = max(0, 4 - len(fig_initial))
        else:
            self.locations.extra = 0
            self.figures.extra = 0

    @property
    def can_add_location(self) -> bool:
        return self.locations.total_form_count() < LocationFormSet.max_num

    def is_valid(self) -> bool:
        valid = all([self.main.is_valid(), self.locations.is_valid(), self.figures.is_valid()])
        if valid and not self.locations.filled_forms():
            self.main.add_error(None, _("Indiquez au moins un lieu où le projet agit."))
            valid = False
        return valid

    @property
    def error_count(self) -> int:
        forms_ = [self.main, *self.locations.forms, *self.figures.forms]
        count = sum(len(errors) for form in forms_ for errors in form.errors.values())
        return count + len(self.locations.non_form_errors()) + len(self.figures.non_form_errors())

    def to_input(self) -> ProjectInput:
        data = self.main.cleaned_data
        themes = list(Theme.objects.filter(pk__in=data["themes"]))
        return ProjectInput(
            title=data["title"],
            summary=data["summary"],
            description=data["description"],
            key_figures=[
                (f.cleaned_data["figure"], f.cleaned_data["label"])
                for f in self.figures.filled_forms()
            ],
            video_url=data["video_url"],
            structure_name=data["structure_name"],
            legal_status=data["legal_status"],
            siret=data["siret"],
            themes=themes,
            publics=list(data["publics"]),
            methods=list(data["methods"]),
            stage=data["stage"],
            scale=data["scale"],
            year_started=data["year_started"],
            sdgs=data["sdgs"],
            tags=data["tags"],
            website=data["website"],
            links=data["links"],
            contact_email=data["contact_email"],
            locations=[
                LocationInput(
                    territory=f.cleaned_data["territory_obj"],
                    address=f.cleaned_data["address"],
                    latitude=f.cleaned_data["latitude"],
                    longitude=f.cleaned_data["longitude"],
                )
                for f in self.locations.filled_forms()
            ],
            image=data.get("image") or None,
            image_alt=data["image_alt"],
            remove_image=data["remove_image"],
        )

    @classmethod
    def for_project(cls, project):
        """An unbound bundle showing the project's latest revision."""
        draft = project.get_latest_revision_as_object()
        figures = []
        video_url = ""
        for block in draft.body:
            if block.block_type == "key_figures":
                figures = [{"figure": v["figure"], "label": v["label"]} for v in block.value]
            elif block.block_type == "video":
                video_url = block.value["video"].url if block.value["video"] else ""
        initial = {
            "title": draft.title,
            "summary": draft.summary,
            "description": stream_text(draft.body, markup=True, only=TEXT_BLOCKS),
            "video_url": video_url,
            "structure_name": draft.structure_name,
            "legal_status": draft.legal_status,
            "siret": draft.siret,
            "themes": [t.pk for t in draft.themes.all()],
            "publics": list(draft.publics.all()),
            "methods": list(draft.methods.all()),
            "stage": draft.stage,
            "scale": draft.scale,
            "year_started": draft.year_started,
            "sdgs": draft.sdgs,
            "tags": ", ".join(sorted(t.name for t in draft.tags.all())),
            "website": draft.website,
            "links": "\n".join(link.url for link in draft.links.all()),
            "contact_email": draft.contact_email,
        }
        locations = [
            {
                "territory": territory_label(location.territory),
                "address": location.address,
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
            for location in draft.locations.all()
        ]
        return cls(initial=initial, locations=locations, figures=figures), draft


class InvitationForm(SiteForm):
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne à inviter"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ClaimForm(SiteForm):
    message = forms.CharField(
        label=_("Votre lien avec ce projet"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Expliquez qui vous êtes dans la structure porteuse ; l'équipe éditoriale "
            "vérifie avant de vous confier la page."
        ),
    )


class DecisionForm(SiteForm):
    note = forms.CharField(
        label=_("Motif (envoyé à la personne)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
