"""The feed of a community and the personal feed « Mon fil », keyset-paginated
(communities/models/feed.py says why it is a table)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from innovations.selectors import projects_live

from ..models import Community, FeedItem, MembershipState
from ..permissions import can_see_content

PAGE_SIZE = 20


def _readable(items: QuerySet[FeedItem]) -> QuerySet[FeedItem]:
    # A project unpublished, or put under a Wagtail view restriction, since it was
    # attached no longer shows (nor in « Mon fil », nor in the Atom feed).
    return items.filter(
        Q(project_link__isnull=True) | Q(project_link__project__in=projects_live())
    ).select_related(
        "community",
        "actor",
        "actor__profile",
        "member",
        "member__profile",
        "project_link__project",
        "event",
        "announcement",
    )


def feed_community(*, community: Community, viewer) -> QuerySet[FeedItem]:
    if not can_see_content(community=community, user=viewer):
        return FeedItem.objects.none()
    return _readable(FeedItem.objects.filter(community=community)).order_by("-id")


def feed_public(*, community: Community) -> QuerySet[FeedItem]:
    """What the Atom feed of a public community shows (read by anyone): its
    announcements, events and projects, not who joined."""
    return feed_community(community=community, viewer=None).exclude(kind="member_joined")


def feed_personal(*, user) -> QuerySet[FeedItem]:
    """« Mon fil »: every community ``user`` is an active member of."""
    if not user.is_authenticated:
        return FeedItem.objects.none()
    mine = user.community_memberships.filter(state=MembershipState.ACTIVE).values("community_id")
    return _readable(FeedItem.objects.filter(community_id__in=mine)).order_by("-id")


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_before: int | None  # pass as ``before`` for the next page; None: the end


def feed_page(*, items: QuerySet[FeedItem], before: int | None = None, limit: int = PAGE_SIZE):
    """One page of a feed: the ``limit`` items older than ``before`` (an item id)."""
    limit = max(1, min(limit, 100))
    if before is not None:
        items = items.filter(id__lt=before)
    rows = list(items[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return FeedPage(items=rows, next_before=rows[-1].pk if more else None)
