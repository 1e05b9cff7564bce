"""Messages of community channels as a search kind (« Discussion »), with their
community's visibility (communities/permissions.py, through search principals):

- a **public** community's channel: anyone finds its messages (as anyone reads them);
- a **private** or **secret** community: its active members (``community:<id>``)
  and editors, like its other content — someone who leaves, is removed or banned
  stops finding them at once (principals are computed at each search);
- a channel **reserved to moderators** is not indexed: search has no principal for
  « moderators of a community », and a leak there would show what the reservation
  hides; its moderators read it in the channel itself;
- **direct messages** are never indexed: they belong to two people, the platform's
  shared search is not the place to find them (the conversation page is).

Deleted and hidden messages have no document (removed after the commit through
search's save signals); an edit re-indexes; a channel archived, renamed or made
reserved, and a community that changes visibility, re-index their messages
(``dependencies``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from search.documents import SearchDocument
from search.registry import DocumentAdapter

from .models import Channel, ChannelKind, Community, Message, Status
from .paths import message_path
from .search_documents import _content_visibility

TITLE_LENGTH = 90
SUMMARY_LENGTH = 300


class MessageAdapter(DocumentAdapter):
    kind = "message"
    label = gettext_lazy("Discussion")
    model = Message
    news = True
    frequent = True

    def queryset(self) -> QuerySet[Message]:
        return Message.objects.filter(
            channel__kind=ChannelKind.COMMUNITY,
            channel__moderators_only=False,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        ).select_related("channel__community", "author__profile")

    def document(self, message: Message) -> SearchDocument | None:
        channel = message.channel
        community = channel.community
        if (
            channel.kind != ChannelKind.COMMUNITY
            or channel.moderators_only
            or community is None
            or community.status != Status.ACTIVE
            or not message.is_visible
        ):
            return None
        author = str(message.author) if message.author_id else ""
        text = " ".join(message.body.split())
        return SearchDocument(
            kind=self.kind,
            object_id=str(message.pk),
            url=message_path(message),
            title=f"#{channel.name} — {Truncator(text).chars(TITLE_LENGTH)}",
            summary=" ".join(
                filter(
                    None, [f"{author}, {community.name}.", Truncator(text).chars(SUMMARY_LENGTH)]
                )
            ),
            body=message.body,
            keywords=[community.name, channel.name],
            facets={},
            points=[],
            published_at=message.created_at,
            updated_at=message.edited_at or message.created_at,
            visibility=_content_visibility(community),
            display={"community": community.name, "channel": channel.name, "author": author},
        )

    def dependencies(self):
        def of_channel(channel: Channel):
            return Message.objects.filter(channel_id=channel.pk).values_list("pk", flat=True)

        def of_community(community: Community):
            return Message.objects.filter(channel__community_id=community.pk).values_list(
                "pk", flat=True
            )

        return {Channel: of_channel, Community: of_community}
