"""French text analysis of the database backends: one pipeline for indexing and for
querying, on SQLite and on PostgreSQL alike (both index the tokens made here).

The chain, which the engine backend mirrors (docs/recherche-pertinence.md):
1. typographic apostrophes (U+2019, U+2018, U+02BC, U+00B4, `) become plain ones, so « l’emploi » is
   « l'emploi »;
2. folding (core.text.fold): lower case, accents removed, every non-letter a word
   boundary — elisions (« l'économie ») and hyphens split into words;
3. stop words dropped (the Snowball French list that Elasticsearch's ``_french_``
   also uses, folded, plus the elided forms and a few function words it lacks:
   « quand », « comme », « si »…);
4. light stemming (``light_stem``): a port of Savoy's French light stemmer (Lucene's
   FrenchLightStemmer, Elasticsearch's ``light_french``), applied to folded words,
   except for the protected words (« sans », « plus »…) kept as they are.

Why a port rather than snowballstemmer's French stemmer: Snowball is aggressive on
folded words (« aînés » → « ain », « sans » → « san ») and gives the singular and the
plural different stems after folding in some words; the light stemmer mostly strips
plural and feminine endings, which is what people vary when they type. It is about
sixty lines and has no maintained Python package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.text import fold

_QUOTED = re.compile(r'"([^"]+)"|«\s*([^»]+?)\s*»')
_APOSTROPHES_CHARS = "\u2019\u2018\u02bc\u00b4`"
_APOSTROPHES = re.compile(f"[{_APOSTROPHES_CHARS}]")

# The Snowball French stop list (snowballstem.org, as Lucene/Elasticsearch ``_french_``),
# folded: accents are gone before stop words are looked up.
_SNOWBALL_FRENCH = """
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me meme
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
toi ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant etante
etants etantes suis es est sommes sont serai seras sera serons serez seront serais
serait serions seriez seraient etais etait etions etiez etaient fus fut fumes futes
furent sois soit soyons soyez soient fusse fusses fussions fussiez fussent ayant
ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons
aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient
eut eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez
eussent
"""
# Function words the Snowball list lacks, and the elided forms (lorsqu', jusqu'…).
_EXTRA = """
les ils elles leurs quel quelle quels quelles quand comme si donc ni car cet cette
ceux celle celles celui cela ceci ca dont lorsque lorsqu puisque puisqu jusqu quoiqu chez afin
"""
STOP_WORDS = frozenset(_SNOWBALL_FRENCH.split()) | frozenset(_EXTRA.split())

# Words the stemmer leaves alone: their final « s » is not a plural, and cutting it
# makes another word (« sans » → « san », « plus » → « plu », « vers » → « ver »).
PROTECTED_WORDS = frozenset(
    [
        *("sans", "plus", "moins", "tres", "pres", "apres", "depuis", "alors", "vers"),
        *("tous", "bus", "campus", "virus", "gaz", "jus", "fois", "mais"),
    ]
)


def _norm(s: str) -> str:
    """FrenchLightStemmer.norm, on folded words (its accent table has nothing to do)."""
    if len(s) > 4:
        out = [s[0]]
        for ch in s[1:]:
            if ch == out[-1] and ch.isalpha():
                continue  # « communauté » and « comunauté » alike: doubled letters once
            out.append(ch)
        s = "".join(out)
    if len(s) > 4 and s.endswith("ie"):
        s = s[:-2]
    if len(s) > 4:
        if s[-1] == "r":
            s = s[:-1]
        if s[-1] == "e":
            s = s[:-1]
        if s[-1] == "e":
            s = s[:-1]
        if s[-1] == s[-2] and s[-1].isalpha():
            s = s[:-1]
    return s


def _replace_end(s: str, cut: int, tail: str) -> str:
    """Drop ``cut`` characters, then overwrite the last len(tail) ones with ``tail``
    (the Java original shortens its buffer, then assigns s[len-k])."""
    s = s[: len(s) - cut] if cut else s
    return s[: len(s) - len(tail)] + tail


def light_stem(s: str) -> str:  # one rule per suffix, in Savoy's order
    """Savoy's French light stemmer (Lucene FrenchLightStemmer), on a folded word.
    The rules on accented endings (« ème », « ère », « ète ») never apply to folded
    words and are left out, as they are in an engine that folds before stemming."""
    if len(s) > 5 and s[-1] == "x":
        if s[-3] == "a" and s[-2] == "u" and s[-4] != "e":
            s = s[:-2] + "l" + s[-1]  # « chevaux » → « cheval »
        s = s[:-1]
    if len(s) > 3 and s[-1] == "x":
        s = s[:-1]
    if len(s) > 3 and s[-1] == "s":
        s = s[:-1]
    n = len(s)
    if n > 9 and s.endswith("issement"):
        return _norm(_replace_end(s, 6, "r"))
    if n > 8 and s.endswith("issant"):
        return _norm(_replace_end(s, 4, "r"))
    if n > 6 and s.endswith("ement"):
        s = s[:-4]
        if len(s) > 3 and s.endswith("ive"):
            s = _replace_end(s, 1, "f")
        return _norm(s)
    if n > 11 and s.endswith("ficatrice"):
        return _norm(_replace_end(s, 5, "er"))
    if n > 10 and s.endswith("ficateur"):
        return _norm(_replace_end(s, 4, "er"))
    if n > 9 and s.endswith("catrice"):
        return _norm(_replace_end(s, 3, "quer"))
    if n > 8 and s.endswith("cateur"):
        return _norm(_replace_end(s, 2, "quer"))
    if n > 8 and s.endswith("atrice"):
        return _norm(_replace_end(s, 4, "er"))
    if n > 7 and s.endswith("ateur"):
        return _norm(_replace_end(s, 3, "er"))
    if n > 6 and s.endswith("trice"):
        s = _replace_end(s, 1, "eur")
        n = len(s)
    if n > 7 and s.endswith("teuse"):
        return _norm(_replace_end(s, 2, "r"))
    if n > 6 and s.endswith("teur"):
        return _norm(_replace_end(s, 1, "r"))
    if n > 5 and s.endswith("euse"):
        return _norm(s[:-2])
    if n > 7 and s.endswith("ive"):
        return _norm(_replace_end(s, 1, "f"))
    if n > 4 and (s.endswith("folle") or s.endswith("molle")):
        return _norm(_replace_end(s, 2, "u"))
    if n > 9 and s.endswith("nnelle"):
        return _norm(s[:-5])
    if n > 9 and s.endswith("nnel"):
        return _norm(s[:-3])
    if n > 8 and s.endswith("ique"):
        s = s[:-4]
        n = len(s)
    if n > 8 and s.endswith("esse"):
        return _norm(s[:-3])
    if n > 7 and s.endswith("inage"):
        return _norm(s[:-3])
    if n > 9 and s.endswith("isation"):
        s = s[:-7]
        if len(s) > 5 and s.endswith("ual"):
            s = _replace_end(s, 0, "el")
        return _norm(s)
    if n > 9 and s.endswith("isateur"):
        return _norm(s[:-7])
    if n > 8 and s.endswith("ation"):
        return _norm(s[:-5])
    if n > 8 and s.endswith("ition"):
        return _norm(s[:-5])
    return _norm(s)


@lru_cache(maxsize=200_000)
def _stem_folded(word: str) -> str:
    if word in PROTECTED_WORDS or not word.isalpha():
        return word  # numbers, codes (« 2024 », « h2o ») stay whole
    return light_stem(word)


def normalise(text: str) -> str:
    """Folded text, typographic apostrophes first made plain (fold() would drop them
    and glue « l’emploi » into one word)."""
    text = text or ""
    if any(char in text for char in _APOSTROPHES_CHARS):
        text = _APOSTROPHES.sub("'", text)
    return fold(text)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    # Fold first: « précarité » and « precarite » must give the same stem.
    folded = normalise(word)
    return _stem_folded(folded) if folded.isalnum() else folded


def analyse(text: str) -> list[str]:
    """Stemmed, folded tokens without stop words, in order."""
    return [_stem_folded(word) for word in normalise(text).split() if word not in STOP_WORDS]


def folded_words(text: str) -> list[str]:
    return [word for word in normalise(text).split() if word not in STOP_WORDS]


def max_edits(word: str) -> int:
    """Typo tolerance by length (the engines' AUTO:5,9): none under 5 letters, one
    edit from 5, two from 9."""
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def within_edits(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of a and b ≤ limit, stopping as soon as a row exceeds it.
    Written here because no dependency may be added for a dozen lines; callers filter
    the vocabulary by first letter and length first."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]  # stemmed tokens of the query outside quotes, once each
    phrases: tuple[tuple[str, ...], ...]  # stemmed token sequences (in quotes)
    raw_words: tuple[str, ...]  # folded words, for highlighting and suggestions
    sequence: tuple[str, ...] = ()  # the stems outside quotes, in order, repeats kept
    folded: tuple[str, ...] = ()  # the folded word of each stem of ``sequence``

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases


def unquoted(text: str) -> str:
    """The query without its quoted phrases."""
    return _QUOTED.sub(" ", (text or "")[:300])


def parse(text: str) -> ParsedQuery:
    """« "économie sociale" insertion » → phrase (econom, social) + term insert."""
    text = (text or "")[:300]
    phrases = []
    for match in _QUOTED.finditer(text):
        tokens = tuple(analyse(match.group(1) or match.group(2)))
        if tokens:
            phrases.append(tokens)
    rest = _QUOTED.sub(" ", text)
    folded = tuple(word for word in normalise(rest).split() if word not in STOP_WORDS)
    sequence = tuple(_stem_folded(word) for word in folded)
    raw = tuple(dict.fromkeys(folded_words(text)))
    return ParsedQuery(
        terms=tuple(dict.fromkeys(sequence)),
        phrases=tuple(phrases),
        raw_words=raw,
        sequence=sequence,
        folded=folded,
    )


def highlight(
    text: str,
    query: ParsedQuery | None = None,
    *,
    max_chars: int = 0,
    stems: frozenset[str] | None = None,
) -> str:
    """Wrap the words of ``text`` matching the query in <mark>, HTML-escaped: its
    stems, or ``stems`` when given (synonyms and corrected typos included).

    With ``max_chars``, return a snippet around the first match (or the start).
    """
    from django.utils.html import escape

    if stems is not None:
        wanted = stems
    elif query is not None:
        wanted = set(query.terms) | {t for phrase in query.phrases for t in phrase}
    else:
        wanted = set()
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
