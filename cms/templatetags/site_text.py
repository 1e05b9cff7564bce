"""Site-wide text helpers: French phrases built around names, the platform's name."""

from __future__ import annotations

import re
import unicodedata

from django import template
from django.conf import settings
from django.utils.translation import get_language, gettext

register = template.Library()

# « de » + article: « de le » → « du », « de les » → « des », « de la » and « de l' » stay.
_ARTICLES = {"le": "du", "les": "des"}
_WORD = re.compile(r"(\w+)(.*)", re.DOTALL)


def _starts_with_vowel_sound(name: str) -> bool:
    """A vowel (accents ignored), a mute h, or a y before a consonant (« Yvetot »).
    Aspirated h words (« Halles », « Hameau ») are rare in names without an article
    and are taken as mute."""
    letters = unicodedata.normalize("NFD", name[:2]).encode("ascii", "ignore").decode().lower()
    if not letters or not name[:1].isalpha():
        return False
    if letters[0] in "aeiouh":
        return True
    return letters[0] == "y" and len(letters) > 1 and letters[1] not in "aeiouy"


def de_name(name: str) -> str:
    """« de » before a name, with French elision and contraction:
    « de » + « Le Bus des Droits » → « du Bus des Droits », + « Les Jardins » →
    « des Jardins », + « La Ruche » → « de La Ruche », + « L'Atelier » → « de L'Atelier »,
    + « Emmaüs » → « d'Emmaüs », + « Habitat et Humanisme » → « d'Habitat et Humanisme »,
    + « Carrefour » → « de Carrefour ». In another language: the translation of « de »."""
    name = " ".join(str(name or "").split())
    if not name:
        return ""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language != "fr":
        # Not inside the f-string: xgettext would not see the message.
        of = gettext("de")
        return f"{of} {name}"
    match = _WORD.match(name)
    if match:
        word, rest = match.groups()
        article = _ARTICLES.get(word.lower())
        if article and rest.startswith(" ") and rest.strip():
            return f"{article}{rest}"
    if _starts_with_vowel_sound(name):
        return f"d’{name}" if "’" in name else f"d'{name}"
    return f"de {name}"


register.filter("de_name", de_name)


@register.simple_tag
def platform_name() -> str:
    """The platform's name (« Carrefour des innovations sociales »), for texts rendered
    without the request's context, e-mails included."""
    return settings.WAGTAIL_SITE_NAME


@register.simple_tag
def platform_url() -> str:
    """The platform's public address (SITE_URL), for e-mails."""
    return settings.SITE_URL
