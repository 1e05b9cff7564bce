"""French text analysis for the database backend: the same pipeline at indexing
and at query time (tokenise, drop elisions and stop words, stem, fold accents).

Stemming uses snowballstemmer's French stemmer (the Snowball algorithm that
PostgreSQL's `french` configuration and Elasticsearch's `french` analyser also use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from cms.text import fold

_QUOTED = re.compile(r'"([^"]+)"|«\s*([^»]+?)\s*»')

STOP_WORDS = frozenset(
    [
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etre",
        "a",
        "est",
        "sont",
    ]
)

_stemmer = snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)
def _stem_folded(word: str) -> str:
    return _stemmer.stemWord(word)


def stem(word: str) -> str:
    # Fold first: « précarité » and « precarite » must give the same stem.
    folded = fold(word)
    return _stem_folded(folded) if folded.isalnum() else folded


def analyse(text: str) -> list[str]:
    """Stemmed, folded tokens without stop words. Folding first turns elisions
    (« l'économie ») and hyphens into separate words; « l », « d »… are stop words."""
    return [_stem_folded(word) for word in fold(text).split() if word not in STOP_WORDS]


def folded_words(text: str) -> list[str]:
    return [word for word in fold(text).split() if word not in STOP_WORDS]


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]  # stemmed tokens that must all match
    phrases: tuple[tuple[str, ...], ...]  # stemmed token sequences
    raw_words: tuple[str, ...]  # folded words, for highlighting and suggestions

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases


def parse(text: str) -> ParsedQuery:
    """« "économie sociale" insertion » → phrase (econom, social) + term insert."""
    text = (text or "")[:300]
    phrases = []
    for match in _QUOTED.finditer(text):
        tokens = tuple(analyse(match.group(1) or match.group(2)))
        if tokens:
            phrases.append(tokens)
    rest = _QUOTED.sub(" ", text)
    terms = tuple(dict.fromkeys(analyse(rest)))
    raw = tuple(dict.fromkeys(folded_words(text)))
    return ParsedQuery(terms=terms, phrases=tuple(phrases), raw_words=raw)


def highlight(text: str, query: ParsedQuery, *, max_chars: int = 0) -> str:
    """Wrap the words of ``text`` matching the query in <mark>, HTML-escaped.

    With ``max_chars``, return a snippet around the first match (or the start).
    """
    from django.utils.html import escape

    wanted = set(query.terms) | {t for phrase in query.phrases for t in phrase}
    text = text or ""
    spans = []
    for match in re.finditer(r"[\w]+", text, re.UNICODE):
        if stem(match.group(0)) in wanted:
            spans.append((match.start(), match.end()))
    start, end = 0, len(text)
    if max_chars and len(text) > max_chars:
        first = spans[0][0] if spans else 0
        start = max(0, first - max_chars // 3)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + max_chars)
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        out.append(escape(text[cursor:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    snippet = "".join(out)
    if start > 0:
        snippet = "… " + snippet
    if end < len(text):
        snippet += " …"
    return snippet
