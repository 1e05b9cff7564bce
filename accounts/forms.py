"""Account forms. Field validation lives here; writes go through accounts.services."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import GroupedCheckboxSelectMultiple, SiteFormMixin, SiteModelForm

from . import profile_extensions
from .models import Profile

EMPTY_CHOICE = _("— Aucun —")


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=80,
        help_text=_("Le nom que les autres membres verront. Vous pourrez le changer."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class ProfileForm(SiteModelForm):
    avatar_upload = forms.FileField(
        label=_("Nouvelle photo ou logo"),
        required=False,
        help_text=_("JPEG, PNG, WebP ou GIF, 5 Mo au plus. L'image est recadrée en carré."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Supprimer la photo actuelle"), required=False)

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "bio",
            "organisation",
            "organisation_type",
            "role",
            "home_territory",
            "interests",
            "is_public",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "interests": GroupedCheckboxSelectMultiple,
        }
        help_texts = {"bio": _("1 000 caractères au plus.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Territories and themes belong to innovations, which sets their choices
        # (accounts/profile_extensions.py).
        for name, setup in profile_extensions.field_setups().items():
            if name in self.fields:
                setup(self.fields[name])
        self.fields["home_territory"].help_text = _("Votre région ou votre département.")
        # One wording for « nothing chosen » in every list (Django's is « --------- »).
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
                field.empty_label = EMPTY_CHOICE
            elif isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.MultipleChoiceField
            ):
                field.choices = [
                    ("", EMPTY_CHOICE) if value == "" else (value, label)
                    for value, label in field.choices
                ]
        # Nothing to remove without a photo.
        if not (self.instance and self.instance.avatar):
            del self.fields["remove_avatar"]


class DeleteAccountForm(SiteFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que la suppression est définitive."), required=True
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."), code="password")
        return password
