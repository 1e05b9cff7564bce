"""The demo channels `make run` loads (communities/demo/channels.py): each demo
community has « général », a themed channel and « annonces » with a few weeks of
French history (replies, a mention, reactions, an edited message), written by its
members; Lina and Hugo share a « général » they both write in, and a direct
conversation; loading again adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_accounts_ensure
from communities.demo.channels import demo_channels_ensure
from communities.demo.loader import demo_communities_ensure
from communities.models import (
    Channel,
    ChannelMember,
    Community,
    Membership,
    Message,
    MessageRevision,
    Reaction,
    Role,
)
from communities.permissions import channel_post_refusal
from innovations.demo.loader import demo_projects_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(projects_index, settings, django_capture_on_commit_callbacks):
    settings.EMBEDDED_DATABASE = True
    users = demo_accounts_ensure()
    demo_projects_ensure(index=projects_index, users=users, publisher=users["editeur"])
    with django_capture_on_commit_callbacks(execute=True):
        demo_communities_ensure(users=users, editor=users["editeur"])
        filled = demo_channels_ensure(users=users)
    mail.outbox.clear()
    return users, filled


def _counts() -> dict[str, int]:
    models = [Channel, ChannelMember, Message, MessageRevision, Reaction]
    return {model.__name__: model.objects.count() for model in models}


def test_every_demo_community_has_general_a_themed_channel_and_announcements(demo):
    communities = Community.objects.all()
    assert communities.count() >= 8
    for community in communities:
        channels = list(community.channels.order_by("-is_default", "pk"))
        assert channels[0].is_default and channels[0].slug == "general", community.name
        assert 3 <= len(channels) <= 4, community.name
        themed = [c for c in channels[1:] if not c.read_only]
        assert themed and themed[0].slug in {"entraide", "financements", "rencontres"}
        assert any(c.read_only for c in channels), community.name  # « annonces »
        for channel in channels:
            assert 15 <= channel.messages.count() <= 40, (community.name, channel.name)


def test_histories_are_written_by_the_members_over_the_past_weeks(demo):
    now = timezone.now()
    for channel in Channel.objects.filter(kind="community").select_related("community"):
        messages = list(channel.messages.order_by("pk"))
        members = set(
            Membership.objects.filter(community=channel.community, state="active").values_list(
                "user_id", flat=True
            )
        )
        assert {m.author_id for m in messages} <= members, channel
        assert len({m.author_id for m in messages}) >= (1 if channel.read_only else 2)
        dates = [m.created_at for m in messages]
        assert dates == sorted(dates), channel  # ids and dates in the same order
        assert now - timedelta(weeks=5) < dates[0] and dates[-1] < now - timedelta(hours=1)
        assert dates[-1] - dates[0] > timedelta(days=10), channel
        # Kept as the sending service keeps it.
        assert channel.last_message_id == messages[-1].pk
        assert all(m.html.startswith("<p>") for m in messages)


def test_only_hosts_write_in_the_announcements(demo):
    for channel in Channel.objects.filter(read_only=True):
        hosts = set(
            Membership.objects.filter(
                community=channel.community_id,
                state="active",
                role__in=[Role.OWNER, Role.MODERATOR],
            ).values_list("user_id", flat=True)
        )
        assert set(channel.messages.values_list("author_id", flat=True)) <= hosts


def test_histories_have_replies_mentions_reactions_and_an_edit(demo):
    for channel in Channel.objects.filter(kind="community", read_only=False):
        messages = channel.messages.all()
        assert messages.filter(reply_to__isnull=False).exists(), channel
        mentioned = messages.filter(mentions__isnull=False).distinct()
        assert mentioned.exists(), channel
        for message in mentioned:
            for person in message.mentions.all():
                assert f'<span class="mention" data-user="{person.pk}">@' in message.html
                assert person.pk != message.author_id
        assert Reaction.objects.filter(message__channel=channel).exists(), channel
        edited = messages.filter(edited_at__isnull=False)
        assert edited.exists() and all(m.revisions.exists() for m in edited), channel
        assert all(m.revisions.get().body != m.body for m in edited)
    assert "mesure d'impact" in Message.objects.filter(edited_at__isnull=False).first().body


def test_lina_and_hugo_share_a_general_they_both_write_in(demo):
    users, _filled = demo
    lina, hugo = users["lina"], users["hugo"]
    shared = Channel.objects.filter(
        is_default=True,
        community__memberships__user=lina,
        community__memberships__state="active",
    ).filter(community__memberships__user=hugo, community__memberships__state="active")
    writable = [
        channel
        for channel in shared
        if channel_post_refusal(channel=channel, user=lina) is None
        and channel_post_refusal(channel=channel, user=hugo) is None
    ]
    assert writable, "Lina et Hugo doivent partager un « général » où écrire"


def test_the_api_lists_their_shared_writable_channel_as_the_outside_check_does(demo):
    """As ../shared/checks/lib/realtime.py: log in, list the communities, then each
    one's channels, keep those with an id and read_only false."""

    users, _filled = demo

    def writable(user) -> dict[int, str]:
        assert user.check_password(DEMO_PASSWORD)
        client = Client()
        client.force_login(user)
        found = {}
        for community in client.get("/api/v1/communities").json()["results"]:
            data = client.get("/api/v1/channels", {"community": community["slug"]}).json()
            for channel in data.get("results", []):
                if channel.get("id") is not None and not channel.get("read_only"):
                    found[channel["id"]] = channel["name"]
        return found

    lina, hugo = writable(users["lina"]), writable(users["hugo"])
    shared = set(lina) & set(hugo)
    assert "général" in {lina[i] for i in shared}
    # The announcements are never offered as writable to plain members.
    assert "annonces" not in {lina[i] for i in shared}


def test_lina_and_hugo_have_a_direct_conversation(demo):
    users, _filled = demo
    lina, hugo = users["lina"], users["hugo"]
    direct = Channel.objects.get(kind="direct")
    assert set(direct.members.values_list("user_id", flat=True)) == {lina.pk, hugo.pk}
    authors = set(direct.messages.values_list("author_id", flat=True))
    assert authors == {lina.pk, hugo.pk}
    assert direct.messages.count() >= 5
    assert direct.last_message_id == direct.messages.order_by("pk").last().pk


def test_some_people_find_unread_messages(demo):
    users, _filled = demo
    unread = [
        channel
        for channel in Channel.objects.filter(kind="community")
        if not ChannelMember.objects.filter(
            channel=channel, user=users["hugo"], last_read_id__gte=channel.last_message_id
        ).exists()
    ]
    assert unread


def test_loading_twice_adds_nothing(demo):
    users, filled = demo
    assert filled == Channel.objects.filter(messages__isnull=False).distinct().count()
    before = _counts()
    assert demo_channels_ensure(users=users) == 0
    assert _counts() == before
