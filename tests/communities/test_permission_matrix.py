"""The permission matrix: every role × every action (communities.rules.ACTIONS) and
every surface (communities.permissions.SURFACES), generated from those tables. An
action or a surface added without its line here fails
``test_the_matrix_covers_every_action_and_surface``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities import services
from communities.models import CommunityProject
from communities.permissions import SURFACES
from communities.rules import ACTIONS
from innovations.models import ProjectMember
from tests.factories import EventFactory, UserFactory

from .conftest import ROLES, build_world

pytestmark = pytest.mark.django_db

MODERATORS = {"moderator", "owner", "editor"}
MANAGERS = {"owner", "editor"}
ACTIVE = {"member", "moderator", "owner"}


def _project_of_every_role(world, make_project):
    project = make_project(owner=world.actors["owner"], title="Projet de tout le monde")
    for role, person in world.actors.items():
        if role not in {"anonymous", "owner"}:
            ProjectMember.objects.create(project=project, user=person)
    return project


def _attached_project_of_a_stranger(world, make_project):
    project = make_project(owner=UserFactory(), title="Projet d'une autre équipe")
    CommunityProject.objects.create(community=world.community, project=project)
    return project


def _event(world, make_project):
    return EventFactory(community=world.community)


def _target(name):
    return lambda world, make_project: world.targets[name]


# action: (community fields, target, the roles allowed)
MATRIX = {
    "membership_request": ({"join_policy": "request"}, None, {"outsider", "editor"}),
    "membership_join": ({}, None, {"outsider", "requested", "invited", "editor"}),
    # The owner is the only one: the last owner cannot leave.
    "membership_leave": ({}, None, {"requested", "member", "moderator"}),
    "membership_approve": ({"join_policy": "request"}, _target("requested"), MODERATORS),
    "membership_refuse": ({"join_policy": "request"}, _target("requested"), MODERATORS),
    "invitation_create": ({}, lambda w, m: "nouvelle@exemple.org", MODERATORS),
    "invitation_accept": ({}, lambda w, m: w.invitation, {"invited"}),
    "invitation_decline": ({}, lambda w, m: w.invitation, {"invited"}),
    "invitation_revoke": ({}, lambda w, m: w.invitation, MODERATORS),
    "membership_promote": ({}, _target("member"), MANAGERS),
    "membership_demote": ({}, _target("moderator"), MANAGERS),
    "ownership_transfer": ({}, _target("member"), MANAGERS),
    "membership_remove": ({}, _target("member"), MODERATORS),
    "membership_ban": ({}, _target("member"), MODERATORS),
    "membership_unban": ({}, _target("banned"), MODERATORS),
    # Team of the project and active member of the community, both.
    "project_attach": ({}, _project_of_every_role, ACTIVE),
    "project_detach": ({}, _attached_project_of_a_stranger, MODERATORS),
    "event_create": ({}, None, MODERATORS),
    "event_update": ({}, _event, MODERATORS),
    "event_cancel": ({}, _event, MODERATORS),
    "rsvp_set": ({}, _event, ACTIVE),
    "announcement_create": ({}, None, MODERATORS),
    "community_propose": ({}, None, set(ROLES) - {"anonymous"}),
    "community_approve": ({"status": "proposed"}, None, {"editor"}),
    "community_refuse": ({"status": "proposed"}, None, {"editor"}),
}

# visibility: surface: the roles that see it
SURFACE_MATRIX = {
    "public": {
        "community": set(ROLES),
        "content": set(ROLES) - {"banned"},
        "moderation": MODERATORS,
        "management": MANAGERS,
    },
    "private": {
        "community": set(ROLES),
        "content": ACTIVE | {"editor"},
        "moderation": MODERATORS,
        "management": MANAGERS,
    },
    "secret": {
        "community": {"invited", *ACTIVE, "editor"},
        "content": ACTIVE | {"editor"},
        "moderation": MODERATORS,
        "management": MANAGERS,
    },
}


def test_the_matrix_covers_every_action_and_surface():
    assert set(MATRIX) == set(ACTIONS)
    for surfaces in SURFACE_MATRIX.values():
        assert set(surfaces) == set(SURFACES)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_has_its_service(action):
    assert callable(getattr(services, action))


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_who_may_do_each_action(action, request):
    fields, target_of, expected = MATRIX[action]
    world = build_world(**fields)
    make_project = request.getfixturevalue("make_project") if "project" in action else None
    target = target_of(world, make_project) if target_of else None
    allowed = set()
    for role in ROLES:
        try:
            ACTIONS[action](world.community, world.actors[role], target)
        except (PermissionDenied, ValidationError):
            continue
        allowed.add(role)
    assert allowed == expected, (
        f"{action}: unexpected {sorted(allowed - expected)}, missing {sorted(expected - allowed)}"
    )


@pytest.mark.parametrize("visibility", sorted(SURFACE_MATRIX))
def test_who_sees_each_surface(visibility):
    world = build_world(visibility=visibility, join_policy="invitation")
    for surface, expected in SURFACE_MATRIX[visibility].items():
        seen = {
            role
            for role in ROLES
            if SURFACES[surface](community=world.community, user=world.actors[role])
        }
        assert seen == expected, (
            f"{visibility}/{surface}: unexpected {sorted(seen - expected)}, "
            f"missing {sorted(expected - seen)}"
        )


def test_surfaces_accept_a_community_id_for_the_websocket_consumers(world):
    member = world.actors["member"]
    for check in SURFACES.values():
        assert check(community=world.community.pk, user=member) == check(
            community=world.community, user=member
        )
