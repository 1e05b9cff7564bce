"""Users sign in with their e-mail address; their public face is a profile."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CarrefourUserManager(UserManager):
    """Users are identified by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = CarrefourUserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self) -> str:
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.email.split("@", 1)[0]

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


class OrganisationType(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COLLECTIF = "collectif-citoyen", _("Collectif citoyen")
    COLLECTIVITE = "collectivite", _("Collectivité")
    COOPERATIVE = "cooperative", _("Coopérative")
    ESS = "entreprise-ess", _("Entreprise de l'ESS")
    ENTREPRISE = "entreprise", _("Entreprise")
    ETABLISSEMENT_PUBLIC = "etablissement-public", _("Établissement public")
    FONDATION = "fondation", _("Fondation")
    AUTRE = "autre", _("Autre")


class Role(models.TextChoices):
    PORTEUR = "porteur", _("Porteur ou porteuse de projet")
    ACCOMPAGNATEUR = "accompagnateur", _("Accompagnateur ou accompagnatrice")
    FINANCEUR = "financeur", _("Financeur")
    CHERCHEUR = "chercheur", _("Chercheur ou chercheuse")
    ELU_AGENT = "elu-agent", _("Élu·e ou agent·e public")
    BENEVOLE = "benevole", _("Bénévole")
    CITOYEN = "citoyen", _("Citoyen ou citoyenne")
    AUTRE = "autre", _("Autre")


def avatar_path(instance: Profile, filename: str) -> str:
    # The file is re-encoded by accounts.services.avatar_set, always as WebP.
    return f"avatars/{instance.user_id}/{filename}"


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        _("nom affiché"),
        max_length=80,
        help_text=_("Le nom que les autres membres voient. Pas forcément votre nom complet."),
    )
    bio = models.TextField(_("présentation"), max_length=1000, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    organisation_type = models.CharField(
        _("type d'organisation"), max_length=30, choices=OrganisationType.choices, blank=True
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices, blank=True)
    home_territory = models.ForeignKey(
        "innovations.Territory",
        verbose_name=_("territoire de rattachement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interests = models.ManyToManyField(
        "innovations.Theme",
        verbose_name=_("centres d'intérêt"),
        blank=True,
        related_name="+",
        help_text=_("Les thèmes qui vous intéressent."),
    )
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, blank=True)
    is_public = models.BooleanField(
        _("profil public"),
        default=True,
        help_text=_("Décochez pour que votre page de profil ne soit visible que par vous."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"user_id": self.user_id})
