"""What editors put forward: selections (snippets of ordered picks with dates),
dossiers (editorial pages gathering picks and a saved search) and the introductions
of theme and territory pages.

A pick names a page (a project, an editorial page, a dossier…) or a community; it
is shown only to those who may see it (curation/selectors/picks.py asks the search
adapters, the one place that decides), and only between its dates and those of its
selection: an expired pick disappears without anyone touching it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index

from cms.blocks import editorial_blocks
from cms.models import EditorialPage
from innovations.models import Territory, Theme, ThemeDomain
from search.query import QueryError, parse_params
from search.services import resolve_place


class DatedMixin(models.Model):
    starts_at = models.DateTimeField(_("à partir du"), null=True, blank=True)
    ends_at = models.DateTimeField(
        _("jusqu'au"), null=True, blank=True, help_text=_("Vide : sans fin.")
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": _("La date de fin doit être après la date de début.")}
            )

    def is_current(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )


class Selection(DatedMixin, ClusterableModel):
    """« À la une », « Coups de cœur »…: reusable in any page (home blocks, dossiers,
    theme and territory pages)."""

    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(
        _("note pour l'équipe"), max_length=300, blank=True, help_text=_("Non publiée.")
    )
    search_queries = models.CharField(
        _("en tête de ces recherches"),
        max_length=500,
        blank=True,
        help_text=_(
            "Recherches, séparées par des virgules (par exemple : tiers-lieux, ruralité), "
            "pour lesquelles ces choix s'affichent en « Sélection de la rédaction »."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("search_queries"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], _("Dates")),
        InlinePanel("items", label=_("Choix"), heading=_("Choix, dans l'ordre")),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("sélection")
        verbose_name_plural = _("sélections")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SelectionItem(DatedMixin, Orderable):
    selection = ParentalKey(Selection, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page (projet, article, dossier…)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("ou communauté"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(
        _("pourquoi ce choix"),
        max_length=200,
        blank=True,
        help_text=_("Une phrase montrée avec le choix (200 caractères)."),
    )

    panels = [
        FieldPanel("page"),
        FieldPanel("community"),
        FieldPanel("reason"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], _("Dates du choix")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("choix")
        verbose_name_plural = _("choix")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(page__isnull=False, community__isnull=True)
                | models.Q(page__isnull=True, community__isnull=False),
                name="selection_item_one_target",
            )
        ]

    def __str__(self) -> str:
        target = self.page or self.community
        return str(target) if target else ""

    def clean(self):
        super().clean()
        if bool(self.page_id) == bool(self.community_id):
            raise ValidationError(_("Choisissez une page ou une communauté (une seule)."))


class DossierPage(EditorialPage):
    """Gathers, on a subject, hand-picked items and a saved search whose results stay
    current (« Tiers-lieux en milieu rural »), with an introduction and a map."""

    selection = models.ForeignKey(
        Selection,
        verbose_name=_("choix de la rédaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    search_params = models.CharField(
        _("recherche"),
        max_length=2000,
        blank=True,
        help_text=_(
            "Les paramètres d'une page de résultats, après le « ? » de son adresse "
            "(par exemple q=tiers-lieux&region=75) : ses résultats restent à jour."
        ),
    )
    search_heading = models.CharField(
        _("titre des résultats"),
        max_length=120,
        blank=True,
        default=_("Tous les projets du dossier"),
    )
    show_map = models.BooleanField(_("montrer la carte"), default=True)
    resources = StreamField(
        editorial_blocks(), verbose_name=_("ressources"), blank=True, use_json_field=True
    )

    content_panels = [
        *EditorialPage.content_panels,
        FieldPanel("selection"),
        MultiFieldPanel(
            [FieldPanel("search_params"), FieldPanel("search_heading"), FieldPanel("show_map")],
            _("Recherche enregistrée"),
        ),
        FieldPanel("resources"),
    ]

    parent_page_types = ["cms.HomePage", "cms.EditorialPage"]
    subpage_types: list[str] = []
    template = "curation/dossier_page.html"

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def clean(self):
        super().clean()
        try:
            parse_params(
                QueryDict(self.search_params or ""),
                principals=frozenset({"public"}),
                resolve_place=resolve_place,
            )
        except QueryError as exc:
            raise ValidationError({"search_params": str(exc)}) from exc


class TopicKind(models.TextChoices):
    DOMAIN = "domain", _("Domaine")
    THEME = "theme", _("Sous-thème")
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")


class TopicIntroduction(models.Model):
    """What editors write at the top of a theme or territory page, and their picks."""

    kind = models.CharField(_("type de page"), max_length=12, choices=TopicKind.choices)
    code = models.CharField(
        _("code"),
        max_length=80,
        help_text=_("Code du domaine ou du sous-thème, ou code INSEE (75, 2A…)."),
    )
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link", "ul", "ol"])
    selection = models.ForeignKey(
        Selection,
        verbose_name=_("choix de la rédaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("code")]),
        FieldPanel("intro"),
        FieldPanel("selection"),
    ]

    class Meta:
        verbose_name = _("introduction de thème ou de territoire")
        verbose_name_plural = _("introductions de thèmes et de territoires")
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="topic_intro_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    def clean(self):
        super().clean()
        exists = {
            TopicKind.DOMAIN: lambda: ThemeDomain.objects.filter(code=self.code).exists(),
            TopicKind.THEME: lambda: Theme.objects.filter(code=self.code).exists(),
            TopicKind.REGION: lambda: Territory.objects.filter(
                level="region", code=self.code
            ).exists(),
            TopicKind.DEPARTEMENT: lambda: Territory.objects.filter(
                level="departement", code=self.code
            ).exists(),
        }.get(self.kind)
        if exists is not None and not exists():
            raise ValidationError(
                {
                    "code": _("Aucun %(kind)s n'a le code « %(code)s ».")
                    % {"kind": self.get_kind_display().lower(), "code": self.code}
                }
            )
