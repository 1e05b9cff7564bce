"""StreamField blocks shared by editorial and project pages. Flat, each with its
own template under templates/components/blocks/."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

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


# --- StreamField <-> text ------------------------------------------------------------
# The one conversion between a body and text, used by the public edit form, partner
# imports (which compare what they wrote with what the page holds now), search
# documents and exports. The text is a small Markdown-like subset that keeps what a
# paragraph block holds: paragraphs (a blank line between them), line breaks,
# « ## intertitres », « - » and « 1. » lists, [texte](https://…) links (« page:12 » and
# « document:3 » for Wagtail's internal links), **gras** and *italique*. Converting a
# body to text and back keeps its text; converting text to a body and back gives the
# same text again (tests/cms/test_stream_text.py).

TEXT_BLOCKS = ("heading", "paragraph")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_INTERNAL_LINK = re.compile(r"^(page|document):(\d+)$")
_INLINE = re.compile(
    r"\[(?P<label>[^\]\n]+)\]\((?P<href>[^)\s]+)\)"
    r"|\*\*(?P<bold>\S(?:[^*\n]*?\S)?)\*\*"
    r"|(?<![\w*])\*(?P<italic>[^\s*](?:[^*\n]*?[^\s*])?)\*(?![\w*])"
)
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


class _RichTextReader(HTMLParser):
    """Walk the stored HTML of a rich text (Wagtail's database format) and write its
    text: block elements become lines, links and emphasis the Markdown-like marks."""

    def __init__(self, *, markup: bool):
        super().__init__(convert_charrefs=True)
        self.markup = markup
        self.elements: list[tuple[str, list[str]]] = []  # ("p" | "ul" | "ol", lines)
        self.line: list[str] = []
        self.list_kind = ""
        self.links: list[str] = []

    def _flush(self) -> None:
        text = "".join(self.line)
        text = "\n".join(" ".join(part.split()) for part in text.split("\n")).strip()
        self.line = []
        if not text:
            return
        if self.list_kind:
            kind = self.list_kind
            if not self.elements or self.elements[-1][0] != kind:
                self.elements.append((kind, []))
            self.elements[-1][1].append(text.replace("\n", " "))
        else:
            self.elements.append(("p", [text]))

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("p", "h2", "h3", "h4", "h5", "h6", "blockquote", "div"):
            self._flush()
            if tag.startswith("h") and self.markup:
                self.line.append("## ")
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_kind = tag
            self.elements.append((tag, []))
        elif tag == "li":
            self._flush()
        elif tag == "br":
            self.line.append("\n")
        elif tag == "a":
            href = attributes.get("href") or ""
            if attributes.get("linktype") in ("page", "document") and attributes.get("id"):
                href = f"{attributes['linktype']}:{attributes['id']}"
            self.links.append(href)
            if self.markup and href:
                self.line.append("[")
        elif tag in ("b", "strong") and self.markup:
            self.line.append("**")
        elif tag in ("i", "em") and self.markup:
            self.line.append("*")

    def handle_endtag(self, tag):
        if tag in ("p", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "li"):
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_kind = ""
        elif tag == "a":
            href = self.links.pop() if self.links else ""
            if self.markup and href:
                self.line.append(f"]({href})")
        elif tag in ("b", "strong") and self.markup:
            self.line.append("**")
        elif tag in ("i", "em") and self.markup:
            self.line.append("*")

    def handle_data(self, data):
        # Line breaks of the HTML source are spaces; only <br> breaks a line.
        self.line.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._flush()
        parts: list[str] = []
        previous = ""
        for kind, lines in self.elements:
            if not lines:
                continue
            if kind == "ul":
                body = "\n".join(f"- {line}" if self.markup else line for line in lines)
            elif kind == "ol":
                body = "\n".join(
                    f"{number}. {line}" if self.markup else line
                    for number, line in enumerate(lines, start=1)
                )
            else:
                body = lines[0]
            # Two paragraphs: a blank line; a list next to a paragraph: a line break
            # (what the text gives back in one chunk).
            if parts:
                parts.append("\n\n" if kind == previous == "p" else "\n")
            parts.append(body)
            previous = kind
        return "".join(parts)


def _block_parts(block) -> tuple[str, object]:
    """(type, value) of a block, whether a StreamValue child or its stored dict form."""
    if isinstance(block, dict):
        return block.get("type", ""), block.get("value")
    return block.block_type, block.value


def _rich_text_source(value) -> str:
    if hasattr(value, "source"):
        return value.source
    return str(value or "")


def stream_text(stream, *, markup: bool = False, only: tuple[str, ...] | None = None) -> str:
    """The text of a body (a StreamField value, or its stored list of blocks).

    ``markup=False`` gives the readable text (search documents, exports): headings,
    paragraphs and list items as lines, link labels without their addresses.
    ``markup=True`` gives the editable text that ``stream_from_text`` turns back into
    the same body (links, lists, headings kept). ``only`` limits the block types
    (the public form edits headings and paragraphs only)."""
    parts: list[str] = []
    for block in stream or []:
        kind, value = _block_parts(block)
        if only is not None and kind not in only:
            continue
        if kind == "paragraph":
            reader = _RichTextReader(markup=markup)
            reader.feed(_rich_text_source(value))
            reader.close()
            parts.append(reader.text())
        elif kind == "heading":
            heading = " ".join(str(value or "").split())
            parts.append(f"## {heading}" if markup and heading else heading)
        elif kind == "quote":
            parts.append(f"{value['quote']} {value.get('attribution') or ''}")
        elif kind == "key_figures":
            parts.extend(f"{item['figure']} {item['label']}" for item in value)
        elif kind == "image":
            parts.append(value.get("caption") or "")
        elif kind == "video":
            parts.append(f"{value.get('title') or ''} {value.get('transcript') or ''}")
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _inline_html(text: str) -> str:
    """One line of text → escaped HTML with its links and emphasis."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[position : match.start()]))
        position = match.end()
        if match.group("label") is not None:
            href = match.group("href")
            internal = _INTERNAL_LINK.match(href)
            if internal:
                out.append(
                    f'<a linktype="{internal.group(1)}" id="{internal.group(2)}">'
                    f"{_inline_html(match.group('label'))}</a>"
                )
            elif href.lower().startswith(_LINK_SCHEMES):
                out.append(f'<a href="{escape(href)}">{_inline_html(match.group("label"))}</a>')
            else:  # not an address we link to: the text stays as it was typed
                out.append(escape(match.group(0)))
        elif match.group("bold") is not None:
            out.append(f"<b>{_inline_html(match.group('bold'))}</b>")
        else:
            out.append(f"<i>{_inline_html(match.group('italic'))}</i>")
    out.append(escape(text[position:]))
    return "".join(out)


def _chunk_html(lines: list[str]) -> str:
    """The lines of one chunk (no blank line inside) → paragraphs and lists."""
    html_parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_kind = ""

    def close_paragraph():
        if paragraph:
            html_parts.append(f"<p>{'<br>'.join(paragraph)}</p>")
            paragraph.clear()

    def close_list():
        nonlocal list_kind
        if items:
            html_parts.append(
                f"<{list_kind}>{''.join(f'<li>{item}</li>' for item in items)}</{list_kind}>"
            )
            items.clear()
        list_kind = ""

    for line in lines:
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        kind = "ul" if bullet else "ol" if numbered else ""
        if kind:
            close_paragraph()
            if kind != list_kind:
                close_list()
                list_kind = kind
            items.append(_inline_html((bullet or numbered).group(1).strip()))
        else:
            close_list()
            paragraph.append(_inline_html(line.strip()))
    close_paragraph()
    close_list()
    return "".join(html_parts)


def stream_from_text(text: str) -> list[dict]:
    """Text (from the public form, or a partner's description) → heading and
    paragraph blocks, in the stored form of a StreamField (the inverse of
    ``stream_text(..., markup=True)``)."""
    blocks: list[dict] = []
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    for chunk in re.split(r"\n[ \t]*\n", normalised):
        lines = [line for line in chunk.split("\n") if line.strip()]
        while lines:
            heading_at = next(
                (i for i, line in enumerate(lines) if line.lstrip().startswith("## ")), None
            )
            before = lines if heading_at is None else lines[:heading_at]
            if before:
                blocks.append({"type": "paragraph", "value": _chunk_html(before)})
            if heading_at is None:
                break
            heading = " ".join(lines[heading_at].lstrip()[3:].split())
            if heading:
                blocks.append({"type": "heading", "value": heading})
            lines = lines[heading_at + 1 :]
    return blocks
