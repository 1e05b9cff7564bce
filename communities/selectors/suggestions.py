"""Communities to suggest to a person: those that share the themes and places of
their profile (interests, home territory) and of their projects."""

from __future__ import annotations

from django.db.models import Q

from innovations.models import ProjectPage, Territory, Theme

from ..models import Community, Status, Visibility
from ..permissions import community_visible_to
from .communities import territory_filter


def _signals(user) -> tuple[set[int], set[int], list]:
    """(theme ids, domain ids, territories) of the user's profile and projects."""
    theme_ids: set[int] = set()
    territories = []
    profile = getattr(user, "profile", None)
    if profile is not None:
        theme_ids |= set(profile.interests.values_list("pk", flat=True))
        if profile.home_territory_id:
            territories.append(profile.home_territory)
    projects = ProjectPage.objects.filter(Q(owner=user) | Q(members__user=user)).distinct()
    theme_ids |= set(Theme.objects.filter(projectpage__in=projects).values_list("pk", flat=True))
    places = Territory.objects.filter(pk__in=projects.values("locations__territory")).exclude(
        pk__in=[t.pk for t in territories]
    )
    territories.extend(places[:20])
    domain_ids = set(Theme.objects.filter(pk__in=theme_ids).values_list("domain_id", flat=True))
    return theme_ids, domain_ids, territories


def communities_suggested(*, user, limit: int = 6) -> list[Community]:
    """Listed, active communities the user is not in (nor banned from, nor waiting
    for), the best matches first (each shared theme, domain or place counts one)."""
    if not user.is_authenticated:
        return []
    theme_ids, domain_ids, territories = _signals(user)
    if not (theme_ids or domain_ids or territories):
        return []
    candidates = (
        community_visible_to(user=user)
        .filter(status=Status.ACTIVE, visibility__in=[Visibility.PUBLIC, Visibility.PRIVATE])
        .exclude(memberships__user=user)
    )
    scores: dict[int, int] = {}
    matchers = [Q(themes__in=theme_ids), Q(theme_domains__in=domain_ids)]
    matchers += [territory_filter(t) for t in territories]
    for matcher in matchers:
        for pk in candidates.filter(matcher).values_list("pk", flat=True).distinct():
            scores[pk] = scores.get(pk, 0) + 1
    best = sorted(scores, key=lambda pk: -scores[pk])[: limit * 3]
    communities = {c.pk: c for c in Community.objects.filter(pk__in=best)}
    ranked = sorted(communities.values(), key=lambda c: (-scores[c.pk], c.name.lower()))
    return ranked[:limit]
