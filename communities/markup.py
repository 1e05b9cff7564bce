"""Messages' text: a Markdown subset rendered by markdown-it-py, then sanitised by nh3
(the Rust ``ammonia`` sanitiser; ``bleach`` is deprecated), and the mentions.

The subset: paragraphs and line breaks, **bold**, *italics*, ``code`` and code
blocks, quotes, lists, links (bare addresses too). No raw HTML, no images (an image
would load a third party's address in every reader's browser), no headings, no
tables. Links get ``rel="nofollow ugc noopener noreferrer"``; only http, https and
mailto addresses survive. The HTML is computed once, when the message is written, and
served as the protocol's ``html``: clients never render ``body`` as HTML.

Mentions are ``@prénom.nom``: the person's name in lower case without accents, words
joined by dots (``mention_handle``), matched against the people who may read the
channel; a handle that matches nobody stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.html import escape
from django.utils.text import slugify
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener noreferrer"

# ``@`` not preceded by a word character, a dot or another ``@`` (e-mail addresses
# and ``@@`` stay text), then words of letters and digits joined by dots or hyphens.
MENTION = re.compile(r"(?<![\w.@/])@([a-z0-9]+(?:[.\-][a-z0-9]+)*)", re.IGNORECASE)
# What a rendered message is split into: tags, and the text between them.
_TAG = re.compile(r"(<[^>]+>)")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.enable("linkify")
    md.disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
    return md


def mention_handle(name: str) -> str:
    """« Lina Benali » → ``lina.benali``; « Jean-Marc Élie » → ``jean-marc.elie``."""
    words = [slugify(word) for word in name.split()]
    return ".".join(word for word in words if word)


def mentioned_handles(body: str) -> set[str]:
    """The handles written in ``body`` (lower case), outside code."""
    text = re.sub(r"```.*?```|`[^`\n]*`", " ", body, flags=re.DOTALL)
    return {match.group(1).lower() for match in MENTION.finditer(text)}


@dataclass(frozen=True)
class Rendered:
    html: str
    mentioned_ids: frozenset[int]


def render(body: str, *, people: Iterable[tuple[int, str]] = ()) -> Rendered:
    """The sanitised HTML of ``body``. ``people`` are (user id, handle) of those who
    may be mentioned; each handle written and found among them becomes
    ``<span class="mention" data-user="<id>">@handle</span>``."""
    html = nh3.clean(
        _markdown().render(body),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
    by_handle: dict[str, list[int]] = {}
    for user_id, handle in people:
        if handle:
            by_handle.setdefault(handle.lower(), []).append(user_id)
    if not by_handle or "@" not in html:
        return Rendered(html=html, mentioned_ids=frozenset())
    mentioned: set[int] = set()

    def replace(match: re.Match) -> str:
        ids = by_handle.get(match.group(1).lower())
        if not ids:
            return match.group(0)
        mentioned.update(ids)
        return f'<span class="mention" data-user="{ids[0]}">@{escape(match.group(1))}</span>'

    parts, inside = [], []  # ``inside``: the open a/code/pre tags around the text
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in {"a", "code", "pre"}:
                if part.startswith("</"):
                    if inside:
                        inside.pop()
                elif not part.endswith("/>"):
                    inside.append(name)
            parts.append(part)
        elif inside:
            parts.append(part)
        else:
            parts.append(MENTION.sub(replace, part))
    return Rendered(html="".join(parts), mentioned_ids=frozenset(mentioned))
