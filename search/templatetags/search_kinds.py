"""``{{ hit.kind|kind_label }}``: the label an app gave its kind (« Projet »,
« Communauté »), in the reader's language, whatever the kind."""

from __future__ import annotations

from django import template

from ..registry import facet_labels

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    return facet_labels("kind", [kind]).get(kind, kind)
