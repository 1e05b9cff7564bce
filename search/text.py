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

_WORD = re.compile(r"[\w]+(?:-[\w]+)*", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
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


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    # Fold first: « précarité » and « precarite » must give the same stem.
    return _stemmer.stemWord(fold(word))


def words(text: str) -> list[str]:
    """Words as written (lowercase), elisions removed, hyphenated words split."""
    result = []
    for raw in re.split(r"[\s/]+", text or ""):
        raw = _ELISION.sub("", raw.strip(".,;:!?()[]{}«»\"'’"))
        for token in _WORD.findall(raw):
            for part in token.split("-"):
                if part:
                    result.append(part.lower())
    return result


def analyse(text: str) -> list[str]:
    """Stemmed, folded tokens without stop words."""
    return [stem(word) for word in words(text) if fold(word) not in STOP_WORDS]


def folded_words(text: str) -> list[str]:
    return [fold(word) for word in words(text) if fold(word) not in STOP_WORDS]


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
