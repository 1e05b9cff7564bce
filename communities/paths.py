"""The public addresses of communities, events and invitations: one place for the
links of notifications, e-mails, the admin's « voir » and the models'
``get_absolute_url``. The paths are those of issue 12; the public views must serve
them there."""

from __future__ import annotations

from urllib.parse import quote


def community_path(community) -> str:
    return f"/communautes/{quote(community.slug)}/"


def members_path(community) -> str:
    return f"/communautes/{quote(community.slug)}/membres/"


def event_path(event) -> str:
    return f"/evenements/{event.pk}/"


def invitation_path(token: str) -> str:
    return f"/communautes/invitation/{quote(token)}/"


def my_communities_path() -> str:
    return "/mes-communautes/"
