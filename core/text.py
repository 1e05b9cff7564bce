"""Small text helpers shared by the apps."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Letters NFKD does not split; replaced only when present (str.translate with a
# table costs a lookup per character, on every indexed text).
_LIGATURES = (("œ", "oe"), ("Œ", "Oe"), ("æ", "ae"), ("Æ", "Ae"), ("ß", "ss"))


def fold(text: str) -> str:
    """Lowercase, strip accents and collapse punctuation to single spaces.

    ``fold("Saint-Étienne")`` → ``"saint etienne"``; used for accent-insensitive
    prefix matching and duplicate detection.
    """
    text = text or ""
    for letter, replacement in _LIGATURES:
        if letter in text:
            text = text.replace(letter, replacement)
    # NFKD splits letters from their accents; encoding to ASCII drops the accents
    # (and any non-Latin character), all in C.
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", ascii_only.lower()).strip()
