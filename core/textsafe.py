"""Text that leaves Python for a format with stricter rules than ``str``.

XML 1.0 (feeds) cannot carry most control characters at all: a title holding
``\\x1b`` made Django's feed generator raise, a 500 for every reader of the feed.
``xml_clean`` is the one routine that makes text fit; ``control_characters``
tells whether text typed in a URL holds such characters, so that queries refuse
them with a clear message instead of failing deeper (PostgreSQL refuses NUL).
"""

from __future__ import annotations

import re

# Complement of XML 1.0's « Char » production (https://www.w3.org/TR/xml/#charsets).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What a person never types: C0 controls (tab and line breaks aside), DEL, C1
# controls, and whatever XML cannot carry (lone surrogates, U+FFFE, U+FFFF).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent."""
    return _XML_INVALID.sub("", text) if text else text


def has_control_characters(text: str) -> bool:
    return bool(text) and _CONTROL.search(text) is not None
