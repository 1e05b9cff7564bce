"""Every notification the communities send reaches the notifications centre: each
service, run for real and committed, leaves a Notification of its registered kind
for the person concerned, leading to a path of the site."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from communities import notify, services
from communities.models import Rsvp
from notifications.kinds import kind_get
from notifications.models import Notification
from tests.communities.conftest import add_member, invite
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    """``act(world)`` runs a service and returns who must be notified."""

    kind: str
    act: Callable[[dict], object]


def _world(community) -> dict:
    owner = community.owner_user
    member = add_member(community).user
    return {"community": community, "owner": owner, "member": member}


def _request(w):
    person = UserFactory()
    w["community"].join_policy = "request"
    w["community"].save()
    services.membership_request(community=w["community"], user=person, message="Bonjour")
    return w["owner"]


def _requested(w):
    person = UserFactory()
    add_member(w["community"], user=person, state="requested")
    return person


def _approve(w):
    person = _requested(w)
    services.membership_approve(community=w["community"], actor=w["owner"], user=person)
    return person


def _refuse(w):
    person = _requested(w)
    services.membership_refuse(
        community=w["community"], actor=w["owner"], user=person, message="Complet"
    )
    return person


def _invite(w):
    person = UserFactory()
    services.invitation_create(community=w["community"], inviter=w["owner"], email=person.email)
    return person


def _accept(w):
    person = UserFactory()
    invitation = invite(w["community"], email=person.email, inviter=w["owner"])
    services.invitation_accept(token=invitation.token, user=person)
    return w["owner"]


def _promote(w):
    services.membership_promote(community=w["community"], actor=w["owner"], user=w["member"])
    return w["member"]


def _demote(w):
    moderator = add_member(w["community"], role="moderator").user
    services.membership_demote(community=w["community"], actor=w["owner"], user=moderator)
    return moderator


def _transfer(w):
    services.ownership_transfer(community=w["community"], actor=w["owner"], user=w["member"])
    return w["member"]


def _remove(w):
    services.membership_remove(community=w["community"], actor=w["owner"], user=w["member"])
    return w["member"]


def _ban(w):
    services.membership_ban(community=w["community"], actor=w["owner"], user=w["member"])
    return w["member"]


def _future(days: float = 3):
    start = timezone.now() + timedelta(days=days)
    return start, start + timedelta(hours=2)


def _event_create(w):
    start, end = _future()
    services.event_create(
        community=w["community"],
        actor=w["owner"],
        data=services.EventInput(title="Atelier", start=start, end=end, address="Ici"),
    )
    return w["member"]


def _going(w, **fields):
    event = EventFactory(community=w["community"], **fields)
    Rsvp.objects.create(event=event, user=w["member"], answer="going")
    return event


def _event_update(w):
    event = _going(w)
    start, end = _future(5)
    services.event_update(
        event=event,
        actor=w["owner"],
        data=services.EventInput(title="Atelier déplacé", start=start, end=end, address="Ici"),
    )
    return w["member"]


def _event_cancel(w):
    services.event_cancel(event=_going(w), actor=w["owner"], message="Salle indisponible")
    return w["member"]


def _waitlist(w):
    event = _going(w, capacity=1)
    waiting = add_member(w["community"]).user
    services.rsvp_set(event=event, user=waiting, answer="going")
    services.rsvp_set(event=event, user=w["member"], answer="not_going")
    return waiting


def _reminder(w):
    _going(w, start=timezone.now() + timedelta(hours=10))
    services.event_reminders_send()
    return w["member"]


def _announce(w):
    services.announcement_create(
        community=w["community"], actor=w["owner"], title="Nouvelles", body="Bonjour à tous."
    )
    return w["member"]


def _project_detach(w, make_project):
    team = add_member(w["community"]).user
    project = make_project(owner=team)
    services.project_attach(community=w["community"], project=project, user=team)
    services.project_detach(community=w["community"], project=project, actor=w["owner"])
    return team


def _propose(w):
    editor = UserFactory(groups=["Éditeurs"])
    services.community_propose(
        user=UserFactory(),
        data=services.CommunityInput(name="Nouvelle", short_description="Une idée."),
    )
    return editor


def _proposed(w):
    from tests.factories import CommunityFactory

    proposer = UserFactory()
    community = CommunityFactory(status="proposed", proposed_by=proposer)
    add_member(community, user=proposer, role="owner")
    return community, proposer, UserFactory(groups=["Éditeurs"])


def _approve_proposal(w):
    community, proposer, editor = _proposed(w)
    services.community_approve(community=community, actor=editor)
    return proposer


def _refuse_proposal(w):
    community, proposer, editor = _proposed(w)
    services.community_refuse(community=community, actor=editor, message="Doublon")
    return proposer


def _general(w):
    return services.default_channel_ensure(community=w["community"])


def _chat_mention(w):
    from communities.markup import mention_handle

    body = f"Bonjour @{mention_handle(str(w['member']))}"
    services.message_send(channel=_general(w), author=w["owner"], body=body)
    return w["member"]


def _chat_reply(w):
    general = _general(w)
    first = services.message_send(channel=general, author=w["member"], body="Une question").message
    services.message_send(channel=general, author=w["owner"], body="Réponse", reply_to=first.pk)
    return w["member"]


def _chat_direct(w):
    direct = services.direct_channel_open(user=w["owner"], other=w["member"])
    services.message_send(channel=direct, author=w["owner"], body="Bonjour en direct")
    return w["member"]


def _chat_report(w):
    message = services.message_send(channel=_general(w), author=w["member"], body="Texte").message
    services.message_report(message_id=message.pk, reporter=UserFactory(), reason="Hors sujet")
    return w["owner"]


CASES = {
    "membership_request": Case("community.request", _request),
    "membership_approve": Case("community.request_decided", _approve),
    "membership_refuse": Case("community.request_decided", _refuse),
    "invitation_create": Case("community.invitation", _invite),
    "invitation_accept": Case("community.membership", _accept),
    "membership_promote": Case("community.membership", _promote),
    "membership_demote": Case("community.membership", _demote),
    "ownership_transfer": Case("community.membership", _transfer),
    "membership_remove": Case("community.membership", _remove),
    "membership_ban": Case("community.membership", _ban),
    "event_create": Case("community.event", _event_create),
    "event_update": Case("community.event", _event_update),
    "event_cancel": Case("community.event", _event_cancel),
    "rsvp_set (waiting list)": Case("community.waitlist", _waitlist),
    "event_reminders_send": Case("community.event_reminder", _reminder),
    "announcement_create": Case("community.announcement", _announce),
    "project_detach": Case("community.project", _project_detach),
    "community_propose": Case("community.proposal", _propose),
    "community_approve": Case("community.proposal", _approve_proposal),
    "community_refuse": Case("community.proposal", _refuse_proposal),
    "message_send (mention)": Case("community.chat_mention", _chat_mention),
    "message_send (reply)": Case("community.chat_reply", _chat_reply),
    "message_send (direct)": Case("community.chat_direct", _chat_direct),
    "message_report": Case("community.chat_report", _chat_report),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_service_notification_reaches_the_centre(name, community, commit, request):
    case = CASES[name]
    world = _world(community)
    with commit():
        if case.act is _project_detach:
            recipient = case.act(world, request.getfixturevalue("make_project"))
        else:
            recipient = case.act(world)
    received = Notification.objects.filter(recipient=recipient, kind=case.kind)
    assert received.exists(), f"{name}: nothing of kind {case.kind} for {recipient}"
    for notification in received:
        assert notification.url.startswith("/") and not notification.url.startswith("//")
        assert notification.title


def test_every_kind_sent_is_registered_with_dots():
    codes = {code for code, _label, _default in notify.KINDS}
    assert all(kind_get(code) is not None for code in codes)
    assert all(re.fullmatch(r"community\.[a-z_]+", code) for code in codes)
    source = "".join(  # every module of the communities/notify/ package
        path.read_text(encoding="utf-8") for path in Path(notify.__file__).parent.glob("*.py")
    )
    sent = set(re.findall(r'kind="(community\.[a-z_.]+)"', source))
    assert sent == codes  # nothing sent unregistered, nothing registered unused
    # The matrix above covers every kind.
    assert {case.kind for case in CASES.values()} == codes


def test_one_notification_per_member_for_an_announcement(community, commit):
    members = [add_member(community).user for _ in range(5)]
    with commit():
        _announce({"community": community, "owner": community.owner_user, "member": members[0]})
    received = Notification.objects.filter(kind="community.announcement")
    assert sorted(n.recipient_id for n in received) == sorted(m.pk for m in members)
