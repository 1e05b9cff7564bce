"""The public addresses of communities, events and invitations: one place for the
links of notifications, e-mails, the admin's « voir », the API, search documents
and the models' ``get_absolute_url``. They are the routes of communities/urls.py
(``reverse``), which serve the paths of issue 12 (``/communautes/<slug>/``,
``/evenements/<id>/``, ``/communautes/invitation/<token>/``, ``/mes-communautes/``)
— the invitation path is written in e-mails already sent: it must not move."""

from __future__ import annotations

from django.urls import reverse


def community_path(community) -> str:
    return reverse("communities:detail", kwargs={"slug": community.slug})


def members_path(community) -> str:
    return reverse("communities:members", kwargs={"slug": community.slug})


def event_path(event) -> str:
    return reverse("communities:event", kwargs={"event_id": event.pk})


def invitation_path(token: str) -> str:
    return reverse("communities:invitation", kwargs={"token": token})


def my_communities_path() -> str:
    return reverse("communities:mine")


def channels_path(community) -> str:
    return reverse("communities:channels", kwargs={"slug": community.slug})


def channel_path(channel) -> str:
    """A community channel's page, or a direct conversation's."""
    if channel.community_id is None:
        return reverse("communities:direct", kwargs={"channel_id": channel.pk})
    return reverse(
        "communities:channel",
        kwargs={"slug": channel.community.slug, "channel_slug": channel.slug},
    )


def message_path(message) -> str:
    """A message's permanent address (notifications, search): redirects to its place
    in its channel for those who may read it."""
    return reverse("communities:message", kwargs={"message_id": message.pk})


def directs_path() -> str:
    return reverse("communities:directs")
