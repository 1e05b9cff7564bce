"""The Atom feed of a public community, ``/communautes/<slug>/flux.atom``: its
announcements, events and attached projects, newest first (``feed_public``: who
joined is left out — a feed reader is anyone). A private, secret, proposed or
archived community has no feed: 404, whoever asks (a feed reader is not signed in).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.absolute_urls import absolute_url
from core.feeds import SafeAtom1Feed

from .ics import event_place
from .models import Community, FeedItem, FeedKind
from .notify import _event_when
from .paths import community_path, event_path
from .permissions import community_content_visible_to
from .selectors import feed_public

FEED_LENGTH = 30


def atom_path(community: Community) -> str:
    return f"{community_path(community)}flux.atom"


class CommunityFeed(Feed):
    feed_type = SafeAtom1Feed  # text cleaned for XML (core/feeds.py)
    description_template = None

    def __init__(self, request=None):
        # One instance per request (``community_atom``): the links need the request
        # (the site it was read from) and Feed's item methods are not given it.
        self.request = request

    def get_object(self, request, slug: str):
        # Read as an anonymous visitor, whoever asks: the feed is the public's.
        community = community_content_visible_to(user=None).filter(slug=slug).first()
        if community is None:
            raise Http404(_("Cette communauté n'a pas de flux public."))
        return community

    def title(self, community: Community) -> str:
        return _("%(name)s — Carrefour des innovations sociales") % {"name": community.name}

    def link(self, community: Community) -> str:
        return absolute_url(community_path(community), request=self.request)

    def feed_url(self, community: Community) -> str:
        return absolute_url(atom_path(community), request=self.request)

    def subtitle(self, community: Community) -> str:
        return community.short_description

    def items(self, community: Community):
        return list(feed_public(community=community)[:FEED_LENGTH])

    def item_title(self, item: FeedItem) -> str:
        if item.kind == FeedKind.ANNOUNCEMENT:
            return _("Annonce : %(title)s") % {"title": item.announcement.title}
        if item.kind == FeedKind.EVENT_CREATED:
            prefix = _("Événement annulé") if item.event.cancelled else _("Événement")
            return f"{prefix} : {item.event.title}"
        if item.kind == FeedKind.PROJECT_ATTACHED:
            return _("Projet rattaché : %(title)s") % {"title": item.project_link.project.title}
        return item.get_kind_display()

    def item_description(self, item: FeedItem) -> str:
        """HTML (Atom's ``summary type="html"``), built from plain text: a member's
        text is escaped, never taken as markup."""
        if item.kind == FeedKind.ANNOUNCEMENT:
            text = item.announcement.body
        elif item.kind == FeedKind.EVENT_CREATED:
            event = item.event
            text = "\n\n".join(
                filter(None, [_event_when(event), event_place(event), event.description])
            )
        elif item.kind == FeedKind.PROJECT_ATTACHED:
            text = item.project_link.project.summary
        else:
            text = ""
        return linebreaks(text, autoescape=True) if text else ""

    def item_link(self, item: FeedItem) -> str:
        if item.kind == FeedKind.EVENT_CREATED:
            path = event_path(item.event)
        elif item.kind == FeedKind.PROJECT_ATTACHED:
            path = item.project_link.project.url or community_path(item.community)
        else:
            path = f"{community_path(item.community)}#annonce-{item.announcement_id}"
        return absolute_url(path, request=self.request)

    def item_guid(self, item: FeedItem) -> str:
        # One id per feed item, stable whatever its link (an event moved, a project
        # renamed): the community's address and the item's number.
        return absolute_url(f"{community_path(item.community)}#fil-{item.pk}", request=self.request)

    item_guid_is_permalink = False

    def item_pubdate(self, item: FeedItem):
        return item.created_at

    def item_updateddate(self, item: FeedItem):
        if item.kind == FeedKind.EVENT_CREATED:
            return max(item.event.updated_at, item.created_at)
        return item.created_at


@require_GET
def community_atom(request: HttpRequest, slug: str) -> HttpResponse:
    return CommunityFeed(request)(request, slug=slug)
