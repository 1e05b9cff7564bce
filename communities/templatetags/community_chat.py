"""Template helpers of the channel pages on other screens (the members page):
``{% direct_message_allowed person as can_write %}`` (« Écrire un message »),
``membership|muted_now`` and ``{% mute_durations as choices %}`` (« Réduire au
silence »)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ..forms import MUTE_DURATIONS
from ..permissions import direct_message_refusal, is_signed_in

register = template.Library()


@register.simple_tag(takes_context=True)
def direct_message_allowed(context, person) -> bool:
    """Whether the viewer may write to ``person`` (permissions.direct_message_refusal
    is None), asked once per person and page."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if person is None or not is_signed_in(viewer) or viewer.pk == person.pk:
        return False
    cache = context.render_context.setdefault("direct_message_allowed", {})
    if person.pk not in cache:
        cache[person.pk] = direct_message_refusal(user=viewer, other=person) is None
    return cache[person.pk]


@register.filter
def muted_now(membership) -> bool:
    until = getattr(membership, "muted_until", None)
    return until is not None and until > timezone.now()


@register.simple_tag
def mute_durations() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (_delta, label) in MUTE_DURATIONS.items()]
