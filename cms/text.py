"""Small text helpers shared by the apps."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase, strip accents and collapse punctuation to single spaces.

    ``fold("Saint-Étienne")`` → ``"saint etienne"``; used for accent-insensitive
    prefix matching and duplicate detection.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_only = ascii_only.replace("œ", "oe").replace("æ", "ae").replace("Œ", "oe")
    return _NON_WORD.sub(" ", ascii_only.lower()).strip()
