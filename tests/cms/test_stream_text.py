"""The one conversion between a body (StreamField) and text (cms.blocks): the
public edit form, partner imports, search documents and exports all use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms.blocks import TEXT_BLOCKS, stream_from_text, stream_text

ROOT = Path(__file__).resolve().parents[2]

EDITED = [
    {"type": "heading", "value": "Notre démarche"},
    {
        "type": "paragraph",
        "value": (
            '<p data-block-key="a1">Des ateliers chaque mardi,<br/>avec '
            '<a href="https://media.example.org/ateliers">la médiathèque</a> et '
            "<b>Emmaüs</b>.</p>"
            '<ul><li data-block-key="b1">démarches en ligne</li>'
            '<li data-block-key="b2">premiers pas sur <i>tablette</i></li></ul>'
            '<p data-block-key="c1">Voir aussi <a linktype="page" id="12">nos partenaires</a>.</p>'
        ),
    },
    {"type": "quote", "value": {"quote": "Enfin autonome !", "attribution": "Josette"}},
]


def test_a_body_becomes_editable_text_with_its_links_lists_and_line_breaks():
    text = stream_text(EDITED, markup=True, only=TEXT_BLOCKS)
    assert text == (
        "## Notre démarche\n\n"
        "Des ateliers chaque mardi,\navec [la médiathèque](https://media.example.org/ateliers) "
        "et **Emmaüs**.\n"
        "- démarches en ligne\n"
        "- premiers pas sur *tablette*\n"
        "Voir aussi [nos partenaires](page:12)."
    )


def test_text_back_to_a_body_keeps_links_lists_and_emphasis():
    blocks = stream_from_text(stream_text(EDITED, markup=True, only=TEXT_BLOCKS))
    assert [b["type"] for b in blocks] == ["heading", "paragraph"]
    html = blocks[1]["value"]
    assert '<a href="https://media.example.org/ateliers">la médiathèque</a>' in html
    assert "<ul><li>démarches en ligne</li><li>premiers pas sur <i>tablette</i></li></ul>" in html
    assert '<a linktype="page" id="12">nos partenaires</a>' in html
    assert "<b>Emmaüs</b>" in html and "mardi,<br>avec" in html


@pytest.mark.parametrize(
    "text",
    [
        "Une ligne\nune autre ligne\n\nUn second paragraphe.",
        "## Intertitre\n\nTexte & <balises> « échappées ».",
        "Liste :\n- un\n- deux\n\n1. premier\n2. second",
        "Un [lien](https://exemple.org/a?b=c) et un faux [lien](javascript:alert(1)).",
        "5 * 3 = 15, 2*3 et **gras** ; *italique*.",
    ],
)
def test_text_to_body_to_text_gives_the_same_text(text):
    assert stream_text(stream_from_text(text), markup=True) == text
    assert "<balises>" not in str(stream_from_text(text))  # escaped, never HTML


def test_unsafe_links_stay_text():
    html = stream_from_text("[clic](javascript:alert(1))")[0]["value"]
    assert "<a" not in html and "javascript:alert(1)" in html


def test_readable_text_for_search_and_exports_has_no_marks():
    text = stream_text(EDITED)
    assert "la médiathèque" in text and "https://" not in text and "##" not in text
    assert "Des ateliers chaque mardi,\navec" in text  # the line break is kept
    assert "Enfin autonome ! Josette" in text


def test_no_other_module_converts_rich_text():
    # One routine per conversion: nothing else reads a rich text's HTML.
    offenders = []
    for folder in ("cms", "innovations", "search", "accounts", "communities"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "cms" / "blocks.py" or "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            if "strip_tags(" in source or ".value.source" in source:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
