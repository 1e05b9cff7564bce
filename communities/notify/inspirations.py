"""Notifications of « S'en inspirer » (issue 16): a request to the project's team,
the team's answer to the requester, a withdrawn request taken back from the team's
notifications.

Both kinds leave by e-mail at once by default (``inspiration.request``,
``inspiration.answer``: someone awaits an answer), through the notifications
centre and each person's preference; the text of the notification (and so of the
e-mail) is written by ``templates/communities/emails/inspiration_*_body.txt``."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovations.selectors import territory_label

from ..models import InspirationRequest, InspirationStatus
from ._core import _french, notify

# Their own app prefix (``inspiration.``, not ``community.``): what a project's team
# and a requester receive, registered by CommunitiesConfig.ready() beside ``KINDS``.
# Both await someone: an e-mail at once by default.
INSPIRATION_KINDS = [
    (
        "inspiration.request",
        gettext_lazy("Demandes « S'en inspirer » adressées à mes projets"),
        "immediate",
    ),
    ("inspiration.answer", gettext_lazy("Réponses à mes demandes « S'en inspirer »"), "immediate"),
]


def register_kinds() -> None:
    try:
        from notifications.kinds import Delivery, register_kind
    except ImportError:  # the notifications centre is not installed
        return
    for code, label, default in INSPIRATION_KINDS:
        register_kind(code, label, default=Delivery(default))


def inbox_item_path(inspiration: InspirationRequest) -> str:
    """Where the team reads a request: its inbox, at that request (also the key by
    which a withdrawn request's notifications are taken back)."""
    inbox = reverse("communities:inspiration_inbox", kwargs={"project_id": inspiration.project_id})
    return f"{inbox}#demande-{inspiration.pk}"


def mine_item_path(inspiration: InspirationRequest) -> str:
    return f"{reverse('communities:my_inspirations')}#demande-{inspiration.pk}"


def _body(template: str, context: dict) -> str:
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    return render_to_string(f"communities/emails/{template}_body.txt", context).strip()


def inspiration_requested(*, inspiration: InspirationRequest, team: list) -> None:
    """To every member of the project's team, after the commit."""
    with _french():
        title = _("%(person)s souhaite s'inspirer de « %(project)s »") % {
            "person": inspiration.requester,
            "project": inspiration.project.title,
        }
        body = _body(
            "inspiration_request",
            {"inspiration": inspiration, "territory": territory_label(inspiration.territory)},
        )
    notify(
        recipients=team,
        kind="inspiration.request",
        title=title,
        body=body,
        url=inbox_item_path(inspiration),
        actor=inspiration.requester,
    )


def inspiration_answered(*, inspiration: InspirationRequest, actor) -> None:
    """To the requester: accepted (a link to the conversation) or declined (the
    team's message)."""
    accepted = inspiration.status == InspirationStatus.ACCEPTED
    with _french():
        if accepted:
            title = _("L'équipe de « %(project)s » a accepté votre demande") % {
                "project": inspiration.project.title
            }
        else:
            title = _("L'équipe de « %(project)s » a décliné votre demande") % {
                "project": inspiration.project.title
            }
        body = _body(
            "inspiration_answer",
            {"inspiration": inspiration, "accepted": accepted, "actor": actor},
        )
    if accepted and inspiration.channel_id:
        url = reverse("communities:direct", kwargs={"channel_id": inspiration.channel_id})
    else:
        url = mine_item_path(inspiration)
    notify(
        recipients=[inspiration.requester],
        kind="inspiration.answer",
        title=title,
        body=body,
        url=url,
        actor=actor,
    )


def _withdraw_about(url: str) -> None:
    try:
        from notifications.services import notifications_withdraw_about
    except ImportError:  # the notifications centre is not installed
        return
    notifications_withdraw_about(url=url)


def inspiration_withdrawn(*, inspiration: InspirationRequest) -> None:
    """After the commit, the team's notifications of a request its author withdrew
    (or whose account is deleted) are taken back: nothing left to answer, and the
    message was theirs."""
    url = inbox_item_path(inspiration)
    transaction.on_commit(lambda: _withdraw_about(url), robust=True)
