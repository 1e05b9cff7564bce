"""Announcements by moderators; the feed of a community and « Mon fil », paginated."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from communities import services
from communities.models import FeedItem
from communities.permissions import CommunityPermissionDenied
from communities.selectors import feed_community, feed_page, feed_personal, feed_public
from tests.factories import CommunityFactory, UserFactory

from .conftest import add_member, refused

pytestmark = pytest.mark.django_db


def test_a_moderator_announces_to_every_member(community, sent, commit):
    members = [add_member(community).user for _ in range(3)]
    with commit():
        announcement = services.announcement_create(
            community=community,
            actor=community.owner_user,
            title="Forum régional le 12 juin",
            body="Inscriptions ouvertes jusqu'au 1er juin.",
        )
    assert FeedItem.objects.get(kind="announcement").announcement == announcement
    (notice,) = [s for s in sent if s.kind == "community.announcement"]
    assert notice.recipients == sorted(m.email for m in members)
    assert "Forum régional" in notice.title


def test_a_member_cannot_announce_and_empty_text_is_refused(community):
    member = add_member(community).user
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.announcement_create(community=community, actor=member, title="x", body="y")
    with pytest.raises(ValidationError) as info:
        services.announcement_create(
            community=community, actor=community.owner_user, title=" ", body=""
        )
    assert set(info.value.error_dict) == {"title", "body"}
    assert "Donnez un titre" in info.value.error_dict["title"][0].messages[0]


def test_the_feed_shows_arrivals_events_projects_and_announcements_newest_first(community):
    newcomer = UserFactory()
    services.membership_join(community=community, user=newcomer)
    services.announcement_create(
        community=community, actor=community.owner_user, title="Bienvenue", body="Bonjour à tous."
    )
    kinds = [item.kind for item in feed_community(community=community, viewer=newcomer)]
    assert kinds == ["announcement", "member_joined"]
    assert [i.kind for i in feed_public(community=community)] == ["announcement"]


def test_a_private_feed_is_for_members_only(community):
    community.visibility = "private"
    community.save()
    services.announcement_create(
        community=community, actor=community.owner_user, title="Interne", body="..."
    )
    assert not feed_community(community=community, viewer=UserFactory()).exists()
    assert not feed_community(community=community, viewer=None).exists()
    assert not feed_public(community=community).exists()
    member = add_member(community).user
    assert feed_community(community=community, viewer=member).count() == 1


def test_my_feed_merges_my_communities_and_pages_by_cursor(django_assert_max_num_queries):
    me = UserFactory()
    mine = [CommunityFactory(), CommunityFactory()]
    not_mine = CommunityFactory()
    for community in [*mine, not_mine]:
        owner = add_member(community, role="owner").user
        for n in range(13):
            services.announcement_create(
                community=community, actor=owner, title=f"Annonce {n}", body="Texte."
            )
    for community in mine:
        add_member(community, user=me)
    feed = feed_personal(user=me)
    with django_assert_max_num_queries(2):
        first = feed_page(items=feed, limit=20)
        [str(item.announcement) + str(item.community) + str(item.actor) for item in first.items]
    assert len(first.items) == 20 and first.next_before == first.items[-1].pk
    second = feed_page(items=feed, before=first.next_before, limit=20)
    assert len(second.items) == 6 and second.next_before is None
    seen = {item.community_id for item in first.items + second.items}
    assert seen == {c.pk for c in mine}
    ids = [item.pk for item in first.items + second.items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 26


def test_a_member_who_left_no_longer_gets_the_communitys_feed(community):
    me = UserFactory()
    services.membership_join(community=community, user=me)
    services.membership_leave(community=community, user=me)
    assert not feed_personal(user=me).exists()
    assert not FeedItem.objects.filter(member=me).exists()


def test_an_overlong_announcement_is_refused(community):
    with pytest.raises(ValidationError) as info:
        services.announcement_create(
            community=community, actor=community.owner_user, title="t" * 201, body="b" * 10_001
        )
    assert info.value.error_dict["title"][0].code == "too_long"
    assert info.value.error_dict["body"][0].code == "too_long"
