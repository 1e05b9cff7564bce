"""Feed generators whose every text fits in XML 1.0.

Django's generator raises on a control character in an element's text (a 500 for
every subscriber as soon as one published title holds ``\\x1b``) and writes it
as is into attributes (ill-formed XML). Values are cleaned on their way in, with
``core.textsafe.xml_clean``: feed-level values by the constructor, items by
``add_item`` — whatever the Feed view hands over (titles, links, descriptions,
authors, categories).
"""

from __future__ import annotations

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .textsafe import xml_clean


def _clean(value):
    if isinstance(value, str):
        return xml_clean(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(item) for item in value)
    return value


class XMLSafeFeedMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*map(_clean, args), **{k: _clean(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_clean, args), **{k: _clean(v) for k, v in kwargs.items()})


class SafeAtom1Feed(XMLSafeFeedMixin, Atom1Feed):
    pass


class SafeRss201rev2Feed(XMLSafeFeedMixin, Rss201rev2Feed):
    pass
