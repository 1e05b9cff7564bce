"""Home, editorial and contact pages, and the settings of the site shell."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from core.forms import SiteFormMixin

from . import page_views
from .blocks import editorial_blocks
from .home_blocks import FULL_WIDTH_BLOCKS, home_blocks


class BasePage(Page):
    """What every page type shares: a listing summary and a social image (used by
    cards, Open Graph tags and search documents)."""

    listing_summary = models.CharField(
        _("résumé pour les listes"),
        max_length=300,
        blank=True,
        help_text=_("Affiché dans les cartes et les résultats de recherche (300 caractères)."),
    )
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image de partage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Image montrée quand la page est partagée sur les réseaux sociaux."),
    )

    promote_panels = [
        *Page.promote_panels,
        FieldPanel("listing_summary"),
        FieldPanel("social_image"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("listing_summary")]

    class Meta:
        abstract = True

    @property
    def summary_text(self) -> str:
        return self.listing_summary or self.search_description or ""

    # What a page shows comes from the view layer of its app (cms/page_views.py):
    # a model imports neither selectors nor views.
    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(page_views.context_for(page=self, request=request))
        return context

    def serve(self, request, *args, **kwargs):
        view = page_views.view_for(page=self)
        if view is None:
            return super().serve(request, *args, **kwargs)
        return view(request, self, *args, **kwargs)


class HomePage(BasePage):
    """Composed by editors from blocks (cms/home_blocks.py); an empty body shows the
    default hero and latest projects."""

    intro = models.CharField(_("accroche"), max_length=250, blank=True)
    body = StreamField(home_blocks(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["full_width_blocks"] = FULL_WIDTH_BLOCKS
        context["has_hero"] = any(block.block_type == "hero" for block in self.body)
        return context


class EditorialPage(BasePage):
    """À propos, mentions légales, accessibilité, articles, guides…"""

    intro = models.TextField(_("chapô"), max_length=600, blank=True)
    body = StreamField(editorial_blocks(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*BasePage.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.EditorialPage"]
    subpage_types = ["cms.EditorialPage", "cms.ContactPage"]

    class Meta:
        verbose_name = _("page éditoriale")
        verbose_name_plural = _("pages éditoriales")


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(AbstractEmailForm):
    """Contact form (Wagtail form builder): submissions are stored and e-mailed."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(
        _("message de remerciement"), blank=True, features=["bold", "italic", "link"]
    )

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Champs du formulaire")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            _("E-mail"),
        ),
    ]

    parent_page_types = ["cms.HomePage", "cms.EditorialPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("page de contact")

    def get_form_class(self):
        base = super().get_form_class()
        return type(base.__name__, (SiteFormMixin, base), {})


@register_setting(icon="site")
class SiteShellSettings(BaseSiteSetting):
    """The pages the header and footer link to, chosen by editors."""

    projects_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « Projets »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    about_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « À propos »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    communities_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « Communautés »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « Mentions légales »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « Accessibilité »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « Données personnelles »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page « Contact »"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("projects_page"),
        FieldPanel("about_page"),
        FieldPanel("communities_page"),
        FieldPanel("legal_page"),
        FieldPanel("accessibility_page"),
        FieldPanel("privacy_page"),
        FieldPanel("contact_page"),
    ]

    class Meta:
        verbose_name = _("navigation du site")
