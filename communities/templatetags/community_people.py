"""``{% community_person user as shown %}``: how a member is named on a community's
pages. Active members and moderators of the community (and editors) see each
other's names — a members' directory is what joining means; everyone else (an
anonymous visitor of a public community's feed, hosts or attendance) sees what the
member's profile privacy allows (accounts.selectors.person_shown)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from accounts.selectors import PersonShown, person_shown

from ..permissions import can_moderate, community_role

register = template.Library()


def _insider(context, community, viewer) -> bool:
    # Once per request, not once per person named: on the request, since every
    # {% include %} (one per message of a channel) gets a render context of its own.
    request = context.get("request")
    cache = (
        request.__dict__.setdefault("_community_insider", {}) if request else context.render_context
    )
    key = ("community_insider", getattr(community, "pk", community), getattr(viewer, "pk", None))
    if key not in cache:
        cache[key] = bool(
            viewer.is_authenticated
            and (
                community_role(community=community, user=viewer) is not None
                or can_moderate(community=community, user=viewer)
            )
        )
    return cache[key]


@register.simple_tag(takes_context=True)
def community_person(context, user) -> PersonShown:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    community = context.get("community")
    if viewer is not None and community is not None and _insider(context, community, viewer):
        profile = getattr(user, "profile", None)
        public = profile is not None and profile.is_public and user.is_active
        return PersonShown(name=str(user), url=profile.get_absolute_url() if public else "")
    return person_shown(user=user, viewer=viewer if viewer is not None else AnonymousUser())
