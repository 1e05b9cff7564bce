"""Demo communities (communities/demo/communities.json), loaded by setup_carrefour
through the same services as the site, so that their feed, audit trail,
notifications and search documents are real: an editor creates each community (as
in the admin) and hands it to its owner, people join as its policy says (join,
request then approval, invitation then acceptance), projects are attached by their
team, announcements and events are made by the owner, members answer the events
(the first full ones have a waiting list).

Idempotent: a community whose slug exists is skipped, and each one is loaded in one
transaction (all of it or nothing). No e-mail leaves while loading: the people are
made up, and the console would print dozens of them in `make run`'s output.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks

from innovations.models import ProjectPage, Territory, TerritoryLevel, Theme, ThemeDomain

from ..models import Community, CommunityTerritory, JoinPolicy, Role
from ..services import (
    EventInput,
    announcement_create,
    community_admin_saved,
    event_create,
    invitation_accept,
    invitation_create,
    membership_approve,
    membership_join,
    membership_leave,
    membership_promote,
    membership_request,
    ownership_transfer,
    project_attach,
    rsvp_set,
)

DATA = Path(__file__).resolve().parent / "communities.json"
REQUEST_MESSAGE = "Je souhaite rejoindre la communauté pour partager nos expériences."


@contextmanager
def _no_emails():
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = previous


def _enter(community: Community, user, *, host, message: str = "") -> None:
    """``user`` becomes an active member the way the community's policy says;
    ``host`` approves or invites."""
    if community.join_policy == JoinPolicy.OPEN:
        membership_join(community=community, user=user, charter_accepted=True)
    elif community.join_policy == JoinPolicy.REQUEST:
        membership_request(
            community=community,
            user=user,
            message=message or REQUEST_MESSAGE,
            charter_accepted=True,
        )
        membership_approve(community=community, actor=host, user=user)
    else:
        invitation = invitation_create(community=community, inviter=host, email=user.email)
        invitation_accept(token=invitation.token, user=user, charter_accepted=True)


def _territories(specs: list[dict]) -> list[Territory]:
    levels = {"region": TerritoryLevel.REGION, "departement": TerritoryLevel.DEPARTEMENT}
    found = []
    for spec in specs:
        territory = Territory.objects.filter(level=levels[spec["level"]], code=spec["code"]).first()
        if territory is not None:
            found.append(territory)
    return found


def _create(spec: dict, *, editor) -> Community:
    """The community as an editor saves it in the admin (then ``community_admin_saved``)."""
    community = Community.objects.create(
        slug=spec["slug"],
        name=spec["name"],
        short_description=spec["short_description"],
        presentation=linebreaks(spec["presentation"], autoescape=True),
        kind=spec["kind"],
        visibility=spec["visibility"],
        join_policy=spec["join_policy"],
        charter=spec["charter"],
        contact_email=spec["contact_email"],
    )
    community.theme_domains.set(ThemeDomain.objects.filter(code__in=spec["domains"]))
    community.themes.set(Theme.objects.filter(code__in=spec["themes"]))
    for order, territory in enumerate(_territories(spec["territories"])):
        CommunityTerritory.objects.create(
            community=community, territory=territory, sort_order=order
        )
    community_admin_saved(community=community, actor=editor, created=True)
    return community


def _event_input(spec: dict) -> EventInput:
    day = timezone.localdate() + timedelta(days=spec["in_days"])
    hour, minute = (int(part) for part in spec["at"].split(":"))
    start = datetime.combine(day, time(hour, minute))  # naive: read in the event's zone
    commune = None
    if spec.get("commune"):
        commune = Territory.objects.filter(
            level=TerritoryLevel.COMMUNE, code=spec["commune"]
        ).first()
    address = spec.get("address", "")
    if commune is None and not address and not spec.get("online_url"):
        address = "À préciser"  # a commune missing from this installation
    return EventInput(
        title=spec["title"],
        description=spec["description"],
        start=start,
        end=start + timedelta(hours=spec["hours"]),
        timezone=spec.get("timezone", "Europe/Paris"),
        commune=commune,
        address=address,
        online_url=spec.get("online_url", ""),
        capacity=spec.get("capacity"),
    )


def _load(spec: dict, *, users: dict, editor) -> Community:
    owner = users[spec["owner"]]
    community = _create(spec, editor=editor)
    # The editor who created it owns it until handing it over, then leaves it to
    # its hosts.
    _enter(community, owner, host=editor)
    ownership_transfer(community=community, actor=editor, user=owner)
    membership_leave(community=community, user=editor)
    for key in spec["moderators"]:
        _enter(community, users[key], host=owner)
        membership_promote(community=community, actor=owner, user=users[key], role=Role.MODERATOR)
    for key in spec["members"]:
        _enter(community, users[key], host=owner)
    for request in spec.get("requests", []):
        membership_request(
            community=community,
            user=users[request["user"]],
            message=request["message"],
            charter_accepted=True,
        )
    for link in spec["projects"]:
        project = ProjectPage.objects.live().filter(slug=link["slug"]).first()
        if project is not None:
            project_attach(community=community, project=project, user=users[link["by"]])
    for announcement in spec["announcements"]:
        announcement_create(
            community=community,
            actor=owner,
            title=announcement["title"],
            body=announcement["body"],
        )
    for event_spec in spec["events"]:
        event = event_create(community=community, actor=owner, data=_event_input(event_spec))
        for key in event_spec.get("going", []):
            rsvp_set(event=event, user=users[key], answer="going")
        for key in event_spec.get("maybe", []):
            rsvp_set(event=event, user=users[key], answer="maybe")
    return community


def demo_communities_ensure(*, users: dict, editor) -> list[Community]:
    """Load the demo communities not loaded yet; return those created. ``users``: the
    demo accounts by key (accounts/demo.py), ``editor`` an account of the editors."""
    specs = json.loads(DATA.read_text(encoding="utf-8"))
    existing = set(Community.objects.values_list("slug", flat=True))
    created: list[Community] = []
    with _no_emails():
        for spec in specs:
            if spec["slug"] in existing:
                continue
            needed = {spec["owner"], *spec["moderators"], *spec["members"]}
            needed |= {request["user"] for request in spec.get("requests", [])}
            if not needed <= set(users):
                continue  # a demo account is missing: the community would be half-made
            with transaction.atomic():
                created.append(_load(spec, users=users, editor=editor))
    return created
