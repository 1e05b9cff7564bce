"""Fixtures of the communities tests: a community with its owner, members in every
state, and a record of the notifications sent (after the commit)."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.factories import CommunityFactory, MembershipFactory, UserFactory


@dataclass
class Sent:
    kind: str
    recipients: list[str]
    title: str
    body: str
    url: str
    scope: str = ""


@pytest.fixture(autouse=True)
def sent(monkeypatch) -> list[Sent]:
    """Every notification the communities deliver (through the real notifications
    centre as well, so an unknown kind or a bad link fails the test)."""
    from communities.notify import _core

    records: list[Sent] = []
    deliver = _core._deliver

    def record(*, recipients, kind, title, body, url, actor=None, scope=""):
        records.append(Sent(kind, sorted(r.email for r in recipients), title, body, url, scope))
        deliver(
            recipients=recipients,
            kind=kind,
            title=title,
            body=body,
            url=url,
            actor=actor,
            scope=scope,
        )

    monkeypatch.setattr(_core, "_deliver", record)
    return records


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what the services queue for after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@contextmanager
def refused(exc_type, fragment: str, code: str | None = None):
    """``pytest.raises`` that also checks the French message (and the code)."""
    with pytest.raises(exc_type) as info:
        yield info
    text = " ".join(getattr(info.value, "messages", [str(info.value)]))
    assert fragment in text, text
    if code is not None:
        assert info.value.code == code


def add_member(community, *, role="member", state="active", user=None, **fields):
    return MembershipFactory(
        community=community, user=user or UserFactory(), role=role, state=state, **fields
    )


def invite(community, *, email: str, inviter=None):
    from communities.models import CommunityInvitation

    now = timezone.now()
    return CommunityInvitation.objects.create(
        community=community,
        email=email.lower(),
        token=secrets.token_urlsafe(32),
        invited_by=inviter,
        expires_at=now + timedelta(days=30),
    )


@pytest.fixture
def community(db):
    """A public, open community and its owner (``community.owner_user``)."""
    community = CommunityFactory(name="Numérique inclusif", slug="numerique-inclusif")
    community.owner_user = add_member(community, role="owner").user
    return community


ROLES = [
    "anonymous",
    "outsider",
    "requested",
    "invited",
    "member",
    "moderator",
    "owner",
    "banned",
    "editor",
]


@dataclass
class World:
    """One community and a person for every role of the permission matrix, plus the
    people actions are done to (``targets``)."""

    community: object
    actors: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    invitation: object = None


def build_world(**community_fields) -> World:
    community = CommunityFactory(**community_fields)
    world = World(community=community)
    world.actors["anonymous"] = AnonymousUser()
    world.actors["outsider"] = UserFactory()
    for role, state in [
        ("requested", "requested"),
        ("invited", "invited"),
        ("member", "active"),
        ("banned", "banned"),
    ]:
        world.actors[role] = add_member(community, state=state).user
    world.actors["moderator"] = add_member(community, role="moderator").user
    world.actors["owner"] = add_member(community, role="owner").user
    world.actors["editor"] = UserFactory(groups=["Éditeurs"])
    world.invitation = invite(
        community, email=world.actors["invited"].email, inviter=world.actors["owner"]
    )
    world.targets = {
        "member": add_member(community).user,
        "moderator": add_member(community, role="moderator").user,
        "requested": add_member(community, state="requested").user,
        "banned": add_member(community, state="banned").user,
    }
    return world


@pytest.fixture
def world(db):
    return build_world()
