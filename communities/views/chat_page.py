"""What every channel page shows the same way, community channel or direct
conversation: the page of history asked for (latest, ``?avant=``, ``?apres=``,
``?autour=``), each message with what the viewer may do to it, the composer (a
plain form: PRG, the typed text kept on refusal, a ``client_id`` drawn at render so
a double submit stores once), the read marker moved, and chat.js's configuration.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services
from ..forms import ChannelForm, ComposerForm
from ..models import REACTIONS, Channel, ChannelMember, Message
from ..models.chat import BODY_MAX_LENGTH, Reaction
from ..paths import channel_path
from ..permissions import can_moderate_channel, channel_post_refusal, is_signed_in
from ..selectors.channels import channels_of_community, messages_page
from ._common import Refusal, attempt, refusal_text

HISTORY = 50
AROUND = 25  # messages shown on each side of ``?autour=<id>``
NOT_FOUND = gettext_lazy("Ce salon n'existe pas ou ne vous est pas ouvert.")


def _id_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _draft_key(channel: Channel) -> str:
    return f"chat-draft:{channel.pk}"


# --- the history of a channel ---------------------------------------------------


@dataclass
class Row:
    """A message as the page shows it, with what the viewer may do to it."""

    message: Message
    reactions: list[dict] = field(default_factory=list)
    parent: Message | None = None
    parent_gone: bool = False
    mine: bool = False
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_react: bool = False
    can_report: bool = False
    can_moderate: bool = False
    highlighted: bool = False
    first_unread: bool = False


def _history(request: HttpRequest, channel: Channel) -> dict:
    """The page of messages asked for (latest, ``?avant=``, ``?apres=``, ``?autour=``)
    and whether there are older or newer ones."""
    user = request.user
    around, before, after = (_id_param(request, n) for n in ("autour", "avant", "apres"))
    if around:
        items = messages_page(channel=channel, user=user, before=around + 1, limit=AROUND + 1)
        items += messages_page(channel=channel, user=user, after=around, limit=AROUND)
    elif after is not None:
        items = messages_page(channel=channel, user=user, after=after, limit=HISTORY)
    else:
        items = messages_page(channel=channel, user=user, before=before, limit=HISTORY)
    older = bool(items) and bool(
        messages_page(channel=channel, user=user, before=items[0].pk, limit=1)
    )
    if items:
        newer = bool(messages_page(channel=channel, user=user, after=items[-1].pk, limit=1))
    else:
        newer = bool(before or around) and channel.last_message_id > 0
    return {"items": items, "older": older, "newer": newer, "around": around}


def _rows(
    request: HttpRequest, channel: Channel, items: list[Message], *, can_post, moderator, last_read
):
    user = request.user
    signed_in = is_signed_in(user)
    ids = [m.pk for m in items]
    mine = set()
    if signed_in and ids:
        mine = set(
            Reaction.objects.filter(message_id__in=ids, user=user).values_list(
                "message_id", "emoji"
            )
        )
    parent_ids = {m.reply_to_id for m in items if m.reply_to_id}
    parents = {
        p.pk: p
        for p in Message.objects.filter(pk__in=parent_ids, channel=channel).select_related(
            "author__profile"
        )
    }
    around = _id_param(request, "autour")
    rows, separator = [], False
    for message in items:
        counts = Counter(r.emoji for r in message.reactions.all())
        parent = parents.get(message.reply_to_id)
        parent_visible = parent is not None and parent.is_visible
        visible = message.is_visible
        is_author = signed_in and message.author_id == user.pk
        row = Row(
            message=message,
            reactions=[
                {
                    "emoji": emoji,
                    "label": label,
                    "count": counts[emoji],
                    "mine": (message.pk, emoji) in mine,
                }
                for emoji, label in REACTIONS.items()
                if counts[emoji]
            ],
            parent=parent if parent_visible else None,
            parent_gone=bool(message.reply_to_id) and not parent_visible,
            mine=is_author,
            can_reply=visible and can_post,
            can_edit=is_author and visible and can_post,
            can_delete=is_author,
            can_react=visible and can_post,
            can_report=signed_in and not is_author and visible,
            can_moderate=moderator,
            highlighted=message.pk == around,
        )
        if not separator and signed_in and message.pk > last_read and not is_author:
            row.first_unread = separator = last_read > 0
        rows.append(row)
    return rows


def _template_row() -> Row:
    """The blank message chat.js clones for live messages (every action present: the
    script removes those the viewer may not use)."""
    blank = Message(pk=0, body="", html="")
    return Row(
        message=blank,
        can_reply=True,
        can_edit=True,
        can_delete=True,
        can_react=True,
        can_report=True,
        can_moderate=True,
    )


def channel_page(request: HttpRequest, channel: Channel, *, other=None) -> HttpResponse:
    """A channel's page (community channel or direct conversation): GET shows the
    history, POST sends the composer's message and comes back here (PRG)."""
    user = request.user
    if request.method == "POST":
        return _send(request, channel)
    community = channel.community
    moderator = can_moderate_channel(channel=channel, user=user)
    refusal = channel_post_refusal(channel=channel, user=user)
    member = None
    if is_signed_in(user):
        member = ChannelMember.objects.filter(channel=channel, user=user).first()
    last_read = member.last_read_id if member else 0
    history = _history(request, channel)
    items = history["items"]
    rows = _rows(
        request,
        channel,
        items,
        can_post=refusal is None,
        moderator=moderator,
        last_read=last_read,
    )
    if is_signed_in(user) and items and items[-1].pk > last_read:
        services.channel_read(channel=channel, user=user, up_to=items[-1].pk)
    draft = request.session.pop(_draft_key(channel), None) if is_signed_in(user) else None
    reply_id = _id_param(request, "repondre")
    reply = None
    if reply_id and refusal is None:
        reply = (
            Message.objects.filter(
                pk=reply_id, channel=channel, deleted_at__isnull=True, hidden_at__isnull=True
            )
            .select_related("author__profile")
            .first()
        )
    composer = ComposerForm(initial={"body": draft or "", "reply_to": reply.pk if reply else ""})
    live = not history["newer"]
    action_url = reverse("communities:message_action", kwargs={"message_id": 0, "action": "edit"})
    members_url = f"/api/v1/channels/{channel.pk}/members"
    config = {
        "channel": channel.pk,
        "lastId": items[-1].pk if items else 0,
        "lastRead": last_read,
        "live": live and is_signed_in(user),
        "user": {"id": user.pk, "name": str(user)} if is_signed_in(user) else None,
        "moderator": moderator,
        "canPost": refusal is None,
        "wsPath": "/ws/",
        "membersUrl": members_url,
        "actionUrl": action_url.replace("/0/", "/{id}/").replace("/edit/", "/{action}/"),
        "messageUrl": reverse("communities:message", kwargs={"message_id": 0}).replace(
            "/0/", "/{id}/"
        ),
        "maxLength": BODY_MAX_LENGTH,
        "reactions": [{"emoji": emoji, "label": str(label)} for emoji, label in REACTIONS.items()],
        "strings": _strings(),
    }
    context = {
        "channel": channel,
        "community": community,
        "other": other,
        "rows": rows,
        "history": history,
        "older_before": items[0].pk if items else None,
        "is_moderator": moderator,
        "refusal": refusal,
        "composer": composer,
        "reply": reply,
        "muted": bool(member and member.muted),
        "channels": (channels_of_community(community=community, user=user) if community else []),
        "chat_config": config,
        "template_row": _template_row(),
        "reactions": list(REACTIONS.items()),
        "live": config["live"],
    }
    if moderator and community is not None:
        context["settings_form"] = ChannelForm(channel=channel, prefix="reglages")
    return render(request, "communities/channels/channel.html", context)


def _strings() -> dict[str, str]:
    """chat.js's sentences (translated here: the script holds no text of its own)."""
    return {
        "connecting": _("Connexion au salon…"),
        "offline": _("hors ligne — reconnexion…"),
        "sending": _("envoi…"),
        "queued": _("hors ligne : votre message partira dès le retour de la connexion."),
        "notificationsOne": _("Notifications, %(n)s non lue"),
        "notificationsMany": _("Notifications, %(n)s non lues"),
        "messagesOne": _("Messages : %(n)s message non lu"),
        "messagesMany": _("Messages : %(n)s messages non lus"),
        "newMessages": _("Nouveaux messages"),
        "typing": _("%(name)s écrit…"),
        "typingMany": _("Plusieurs personnes écrivent…"),
        "deletedAccount": _("Compte supprimé"),
        "replyTo": _("En réponse à"),
        "hidden": _("Masqué : seuls les modérateurs le voient."),
        "seeMessage": _("voir le message"),
        "cancelReply": _("Annuler la réponse"),
        "reconnected": _("Reconnecté : les messages manqués sont affichés."),
        "reported": _("Merci : le message est signalé aux modérateurs, qui vont le regarder."),
        "deletedDone": _("Message supprimé."),
        "editedDone": _("Message modifié."),
        "accessLost": _("Vous n'avez plus accès à ce salon."),
        "error": _("Une erreur est survenue : réessayez dans un instant."),
    }


def _send(request: HttpRequest, channel: Channel) -> HttpResponse:
    form = ComposerForm(request.POST)
    form.is_valid()  # nothing to refuse here: the service says what is wrong, in French
    body = request.POST.get("body", "")
    back = channel_path(channel)
    try:
        result = services.message_send(
            channel=channel,
            author=request.user,
            body=body,
            client_id=request.POST.get("client_id") or None,
            reply_to=form.reply_to_id,
        )
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
        if is_signed_in(request.user):
            request.session[_draft_key(channel)] = body[: BODY_MAX_LENGTH * 2]
        if form.reply_to_id:
            back += f"?repondre={form.reply_to_id}"
        return redirect(f"{back}#composer")
    return redirect(f"{back}#message-{result.message.pk}")


def next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def mute_toggle(request: HttpRequest, found: Channel) -> HttpResponse:
    muted = request.POST.get("muted") == "1"
    attempt(
        request,
        lambda: services.channel_mute_set(channel=found, user=request.user, muted=muted),
        _("Notifications coupées pour ce salon : il ne compte plus dans vos messages non lus.")
        if muted
        else _("Notifications rétablies pour ce salon."),
    )
    return redirect(channel_path(found))
