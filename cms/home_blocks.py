"""The blocks editors compose the home page with (and dossiers reuse): a hero with
the one search box, selections (« À la une »…), communities, the latest content,
live key figures, a map teaser, a call to propose a project. Each has its own
template under templates/components/blocks/; live blocks get what they show from
cms/sections.py."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from . import sections
from .blocks import editorial_blocks


class SectionBlockMixin:
    """A section with a heading: ``block_id`` names it for aria-labelledby."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["block_id"] = (
            "section-" + (slugify(value.get("heading") or "") or "sans-titre")[:50]
        )
        return context


class LiveBlockMixin(SectionBlockMixin):
    """A block whose context comes from the section registry under ``section``."""

    section = ""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context.update(sections.section_context(self.section, value=value, request=request))
        return context


class HeroBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Titre"), required=False, max_length=120, help_text=_("Vide : le titre de la page.")
    )
    text = blocks.TextBlock(label=_("Accroche"), required=False, max_length=300)

    class Meta:
        icon = "search"
        label = _("Bandeau avec la recherche")
        template = "components/blocks/hero.html"


class SelectionBlock(LiveBlockMixin, blocks.StructBlock):
    section = "selection"
    heading = blocks.CharBlock(label=_("Titre de la section"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False, max_length=400)
    selection = SnippetChooserBlock(
        "curation.Selection",
        label=_("Sélection"),
        help_text=_("Ses choix s'affichent dans l'ordre, chacun avec sa raison, entre ses dates."),
    )

    class Meta:
        icon = "pick"
        label = _("Sélection (projets, communautés, pages)")
        template = "components/blocks/selection.html"


class CommunitiesBlock(LiveBlockMixin, blocks.StructBlock):
    section = "communities"
    heading = blocks.CharBlock(label=_("Titre de la section"), max_length=120)
    selection = SnippetChooserBlock(
        "curation.Selection",
        label=_("Sélection"),
        required=False,
        help_text=_("Vide : les dernières communautés créées que chacun peut voir."),
    )
    count = blocks.IntegerBlock(label=_("Nombre"), min_value=1, max_value=12, default=3)

    class Meta:
        icon = "group"
        label = _("Communautés mises en avant")
        template = "components/blocks/communities.html"


class LatestBlock(LiveBlockMixin, blocks.StructBlock):
    section = "latest"
    heading = blocks.CharBlock(label=_("Titre de la section"), max_length=120)
    content = blocks.ChoiceBlock(
        label=_("Contenu"),
        choices=[
            ("projects", _("Derniers projets publiés")),
            ("editorial", _("Derniers articles et dossiers")),
        ],
        default="projects",
    )
    count = blocks.IntegerBlock(label=_("Nombre"), min_value=1, max_value=12, default=6)

    class Meta:
        icon = "date"
        label = _("Dernières publications")
        template = "components/blocks/latest.html"


class LiveFiguresBlock(LiveBlockMixin, blocks.StructBlock):
    section = "figures"
    heading = blocks.CharBlock(label=_("Titre de la section"), max_length=120)

    class Meta:
        icon = "table"
        label = _("Chiffres clés (calculés en direct)")
        template = "components/blocks/live_figures.html"


class MapTeaserBlock(LiveBlockMixin, blocks.StructBlock):
    section = "map"
    heading = blocks.CharBlock(label=_("Titre de la section"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), required=False, max_length=400)

    class Meta:
        icon = "site"
        label = _("Carte des projets")
        template = "components/blocks/map_teaser.html"


class ProposeBlock(SectionBlockMixin, blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Titre"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), required=False, max_length=400)
    button = blocks.CharBlock(
        label=_("Texte du bouton"), max_length=60, default=_("Proposer un projet")
    )

    class Meta:
        icon = "plus"
        label = _("Appel à proposer un projet")
        template = "components/blocks/propose.html"


# Sections laid out across the page; the other (text) blocks keep the reading width.
FULL_WIDTH_BLOCKS = ("hero", "selection", "communities", "latest", "figures", "map", "propose")


def home_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("hero", HeroBlock()),
        ("selection", SelectionBlock()),
        ("communities", CommunitiesBlock()),
        ("latest", LatestBlock()),
        ("figures", LiveFiguresBlock()),
        ("map", MapTeaserBlock()),
        ("propose", ProposeBlock()),
        *editorial_blocks(),
    ]
