"""StreamField blocks shared by editorial and project pages. Flat, each with its
own template under templates/components/blocks/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Intertitre")
        template = "components/blocks/heading.html"
        form_classname = "title"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["bold", "italic", "link", "ol", "ul"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraphe")
        template = "components/blocks/paragraph.html"


class CaptionedImageBlock(blocks.StructBlock):
    # ImageBlock carries the alternative text (required unless marked decorative).
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "components/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Adresse de la vidéo"), help_text=_("YouTube, Vimeo, PeerTube…"))
    title = blocks.CharBlock(
        label=_("Titre de la vidéo"),
        max_length=200,
        help_text=_("Annoncé aux lecteurs d'écran et affiché sous la vidéo."),
    )
    transcript = blocks.TextBlock(label=_("Transcription"), required=False)

    class Meta:
        icon = "media"
        label = _("Vidéo")
        template = "components/blocks/video.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Citation"), max_length=1000)
    attribution = blocks.CharBlock(label=_("Auteur ou autrice"), required=False, max_length=150)

    class Meta:
        icon = "openquote"
        label = _("Citation")
        template = "components/blocks/quote.html"


class KeyFigureBlock(blocks.StructBlock):
    figure = blocks.CharBlock(label=_("Chiffre"), max_length=30)
    label = blocks.CharBlock(label=_("Libellé"), max_length=120)


class KeyFiguresBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(KeyFigureBlock(), **kwargs)

    class Meta:
        icon = "list-ul"
        label = _("Chiffres clés")
        template = "components/blocks/key_figures.html"
        min_num = 1
        max_num = 6


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Texte du bouton"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("ou adresse externe"), required=False)

    class Meta:
        icon = "link"
        label = _("Bouton d'action")
        template = "components/blocks/call_to_action.html"


def body_blocks() -> list[tuple[str, blocks.Block]]:
    """The blocks of a rich body: editorial pages and project descriptions."""
    return [
        ("heading", HeadingBlock()),
        ("paragraph", ParagraphBlock()),
        ("image", CaptionedImageBlock()),
        ("video", VideoBlock()),
        ("quote", QuoteBlock()),
        ("key_figures", KeyFiguresBlock()),
    ]


def editorial_blocks() -> list[tuple[str, blocks.Block]]:
    return [*body_blocks(), ("call_to_action", CallToActionBlock())]


def stream_text(stream) -> str:
    """The readable text of a StreamField (for search documents and exports)."""
    from django.utils.html import strip_tags

    parts: list[str] = []
    for block in stream or []:
        value = block.value
        kind = block.block_type
        if kind == "paragraph":
            source = value.source if hasattr(value, "source") else str(value)
            parts.append(strip_tags(source.replace("</p>", "</p>\n")))
        elif kind == "heading":
            parts.append(str(value))
        elif kind == "quote":
            parts.append(f"{value['quote']} {value.get('attribution') or ''}")
        elif kind == "key_figures":
            parts.extend(f"{item['figure']} {item['label']}" for item in value)
        elif kind == "image":
            parts.append(value.get("caption") or "")
        elif kind == "video":
            parts.append(f"{value.get('title') or ''} {value.get('transcript') or ''}")
    import html

    return html.unescape("\n".join(p.strip() for p in parts if p and p.strip()))
