"""Messages' text (issue 13): a Markdown subset sanitised by nh3 (no script, no event
attribute, no javascript: link, no image), links marked ``nofollow ugc``, mentions
resolved only for the channel's readers and never inside code or links."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from communities.markup import LINK_REL, mention_handle, mentioned_handles, render
from tests.chat.conftest import person, say
from tests.factories import CommunityFactory

LINA = (7, "lina.benali")


class Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    return Elements(html).found


SAFE = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span"}


def assert_safe(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in SAFE, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name in {"href", "title", "rel", "start", "class", "data-user"}, html
            if name == "href":
                scheme = value.split(":", 1)[0].lower() if ":" in value else ""
                assert scheme in {"http", "https", "mailto"}, html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="https://exemple.org" onclick="voler()">lien</a>',
        "<iframe src=https://evil.example></iframe>",
        "<<script>script>alert(1)<</script>/script>",
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD4=)",
        "[clic](vbscript:msgbox)",
        '[clic](https://exemple.org/"onmouseover="alert(1))',
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_nothing_executable_survives(body):
    html = render(body).html
    assert_safe(html)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "<svg" not in html and "<style" not in html


def test_raw_html_is_shown_as_text():
    assert render("<b>gras</b>").html == "<p>&lt;b&gt;gras&lt;/b&gt;</p>"


def test_images_are_not_rendered_only_linked():
    html = render("![chat](https://evil.example/chat.png)").html
    assert "<img" not in html
    assert elements(html) == [
        ("p", {}),
        ("a", {"href": "https://evil.example/chat.png", "rel": LINK_REL}),
    ]


def test_schemes_other_than_http_https_mailto_lose_their_address():
    for body in ("[x](ftp://exemple.org/f)", "[x](tel:0102030405)", "[x](file:///etc/passwd)"):
        html = render(body).html
        assert "href" not in html, html


def test_links_get_nofollow_ugc_noopener_noreferrer():
    assert LINK_REL == "nofollow ugc noopener noreferrer"
    for body in (
        "[le site](https://exemple.org)",
        "voir https://exemple.org/page",
        "<https://exemple.org>",
        "ecrire@exemple.org",
    ):
        links = [attrs for tag, attrs in elements(render(body).html) if tag == "a"]
        assert len(links) == 1, body
        assert links[0]["rel"] == "nofollow ugc noopener noreferrer", body


def test_a_link_keeps_its_title():
    html = render('[lien](https://exemple.org "Le titre")').html
    assert elements(html)[1] == (
        "a",
        {"href": "https://exemple.org", "title": "Le titre", "rel": LINK_REL},
    )


def test_the_markdown_subset():
    assert render("**gras** et *italique* et `code`").html == (
        "<p><strong>gras</strong> et <em>italique</em> et <code>code</code></p>"
    )
    assert render("ligne 1\nligne 2").html == "<p>ligne 1<br>\nligne 2</p>"
    assert render("> cité").html == "<blockquote>\n<p>cité</p>\n</blockquote>"
    assert render("- un\n- deux").html == "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>"
    assert render("3. trois").html == '<ol start="3">\n<li>trois</li>\n</ol>'
    assert render("```\nx < y\n```").html == "<pre><code>x &lt; y\n</code></pre>"


@pytest.mark.parametrize(
    "body", ["# Titre", "Titre\n===", "---", "| a | b |\n|---|---|\n| 1 | 2 |"]
)
def test_headings_rules_and_tables_stay_text(body):
    tags = {tag for tag, _ in elements(render(body).html)}
    assert tags <= {"p", "br"}


# --- mentions ------------------------------------------------------------------------


def test_mention_handle_is_the_name_in_lower_case_without_accents():
    assert mention_handle("Lina Benali") == "lina.benali"
    assert mention_handle("  Jean-Marc   Élie ") == "jean-marc.elie"
    assert mention_handle("Zoé O'Neil") == "zoe.oneil"


def test_a_mention_of_a_reader_becomes_a_marked_span():
    rendered = render("Merci @lina.benali !", people=[LINA])
    assert rendered.html == '<p>Merci <span class="mention" data-user="7">@lina.benali</span> !</p>'
    assert rendered.mentioned_ids == {7}


def test_a_mention_is_case_insensitive_and_keeps_what_was_written():
    rendered = render("@Lina.Benali", people=[LINA])
    assert rendered.mentioned_ids == {7} and "@Lina.Benali</span>" in rendered.html


@pytest.mark.parametrize(
    "body",
    [
        "`@lina.benali`",
        "```\n@lina.benali\n```",
        "    @lina.benali",
        "[@lina.benali](https://exemple.org)",
        "https://exemple.org/@lina.benali",
        "lina@lina.benali",
        "@@lina.benali",
        "@lina.benalix",
    ],
)
def test_no_mention_inside_code_links_addresses_or_other_words(body):
    rendered = render(body, people=[LINA])
    assert rendered.mentioned_ids == frozenset()
    assert "mention" not in rendered.html


def test_a_handle_of_nobody_stays_text():
    rendered = render("@personne.inconnue", people=[LINA])
    assert rendered.html == "<p>@personne.inconnue</p>" and not rendered.mentioned_ids


def test_mentioned_handles_skip_code():
    assert mentioned_handles("`@a.b` @c.d ```\n@e.f\n```") == {"c.d"}


@pytest.mark.django_db
def test_mentions_resolve_only_among_the_channel_s_readers(chat):
    stranger = person("Zoé Martin")
    CommunityFactory()  # another community: its members are nobody here
    message = say(chat.general, chat.lina, "@hugo.martin et @zoe.martin")
    assert list(message.mentions.all()) == [chat.hugo]
    assert f'data-user="{chat.hugo.pk}"' in message.html
    assert f'data-user="{stranger.pk}"' not in message.html
    assert "@zoe.martin" in message.html


@pytest.mark.django_db
def test_an_escaped_name_cannot_inject_markup(chat):
    message = say(chat.general, chat.lina, '@hugo.martin"><script>x</script>')
    assert_safe(message.html)
    assert "<script" not in message.html
