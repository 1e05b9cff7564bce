"""/api/v1/channels: the channels and their messages over HTTP, with the websocket's
rules (issue 13, docs/realtime.md). What the caller may read comes from
communities/permissions.py (``channels_readable_by``); what they may post from
``channel_post_refusal``, checked again by the sending service. A channel the caller
may not read answers 404, as on the pages. The site's session counts (a signed-in
member's browser); sending needs it, with the CSRF token (``X-CSRFToken``).

Sending checks the session and the CSRF token itself rather than through ninja's
``django_auth``: ninja answers those refusals in English with ``{"detail"}`` only,
where every refusal of this endpoint is ``{"code", "message"}`` in French, as the
websocket's ``error`` frame."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.utils import check_csrf

from core.api_errors import ErrorOut, ValidationErrorOut

from .models import Community
from .paths import channel_path
from .permissions import can_see_community, channel_post_refusal, is_signed_in
from .realtime.frames import message_frame
from .selectors.channels import (
    HISTORY_MAX,
    HISTORY_PAGE,
    channel_get_readable,
    channels_of_community,
    direct_conversations,
    mention_candidates,
    messages_page,
)
from .services import ChatRefused, default_channel_ensure, message_send

router = Router(tags=["Salons"])

# HTTP status of each refusal code of the sending service.
REFUSAL_STATUS = {
    "unauthenticated": 401,
    "not_found": 404,
    "rate_limited": 429,
    "slow_mode": 429,
    "invalid": 400,
    "empty": 400,
    "too_long": 400,
}


class ChannelOut(Schema):
    """Un salon que l'appelant peut lire."""

    id: int
    name: str
    slug: str
    topic: str
    kind: str = Field(description="« community » (salon de communauté) ou « direct ».")
    community: str | None = Field(description="Adresse (slug) de sa communauté.")
    read_only: bool = Field(
        description="Vrai quand l'appelant ne peut pas y écrire (salon d'annonces, "
        "pas membre, exclu, réduit au silence, archivé)."
    )
    announcements: bool = Field(description="Salon d'annonces : seuls les animateurs écrivent.")
    moderators_only: bool
    slow_mode_seconds: int
    unread: int = Field(description="Messages non lus (0 pour qui n'est pas membre).")
    last_message_id: int
    url: str = Field(description="Sa page.")
    messages_url: str


class ChannelListOut(Schema):
    count: int
    results: list[ChannelOut]


class ChannelParams(Schema):
    community: str | None = Field(
        None,
        max_length=120,
        description="Adresse (slug) d'une communauté ; sans elle, les salons de mes "
        "communautés et mes messages directs.",
    )


class AuthorOut(Schema):
    id: int | None
    name: str


class MessageOut(Schema):
    """Un message, avec les champs de la trame « message » du websocket."""

    type: str
    id: int
    channel: int
    author: AuthorOut
    body: str = Field(description="Le texte tel qu'écrit (à afficher comme du texte).")
    html: str = Field(description="Le texte rendu et nettoyé (seul HTML à insérer).")
    created_at: str
    edited_at: str | None
    reply_to: int | None
    client_id: str | None
    reactions: dict[str, int]
    hidden: bool


class MessagePageOut(Schema):
    results: list[MessageOut]
    has_more: bool = Field(description="D'autres messages au-delà de cette page.")
    last_id: int = Field(description="Le dernier message du salon.")


class HistoryParams(Schema):
    after: int | None = Field(None, ge=0, description="Les messages après cet identifiant.")
    before: int | None = Field(None, ge=1, description="Les messages avant cet identifiant.")
    limit: int = Field(HISTORY_PAGE, ge=1, le=HISTORY_MAX)


class SendIn(Schema):
    body: str = Field(description="Le texte (Markdown réduit), 4 000 caractères au plus.")
    client_id: str | None = Field(
        None, description="UUID choisi par le client : un renvoi n'enregistre rien deux fois."
    )
    reply_to: int | None = None


class SentOut(MessageOut):
    duplicate: bool = Field(description="Vrai si ce client_id était déjà enregistré.")


class RefusalOut(Schema):
    """Envoi refusé : ``code`` comme dans le protocole du websocket, message en français."""

    code: str
    message: str
    detail: str


class CandidateOut(Schema):
    id: int
    handle: str = Field(description="À écrire après « @ ».")
    name: str


def _channel_row(channel, request: HttpRequest) -> dict:
    refusal = channel_post_refusal(channel=channel, user=request.user)
    return {
        "id": channel.pk,
        "name": channel.name,
        "slug": channel.slug,
        "topic": channel.topic,
        "kind": channel.kind,
        "community": channel.community.slug if channel.community_id else None,
        "read_only": refusal is not None,
        "announcements": channel.read_only,
        "moderators_only": channel.moderators_only,
        "slow_mode_seconds": channel.slow_mode_seconds,
        "unread": getattr(channel, "unread", 0) or 0,
        "last_message_id": channel.last_message_id,
        "url": channel_path(channel),
        "messages_url": f"/api/v1/channels/{channel.pk}/messages",
    }


@router.get(
    "/channels",
    response={200: ChannelListOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Salons lisibles",
)
def channels(request: HttpRequest, params: Query[ChannelParams]):
    """Les salons d'une communauté que l'appelant peut lire, « général » d'abord, avec
    le nombre de messages non lus ; sans ``community``, ceux de ses communautés et
    ses messages directs (il faut être connecté)."""
    if params.community:
        community = Community.objects.filter(slug=params.community).first()
        if community is None or not can_see_community(community=community, user=request.user):
            raise HttpError(404, _("Cette communauté n'existe pas ou ne vous est pas accessible."))
        default_channel_ensure(community=community)
        rows = channels_of_community(community=community, user=request.user)
    else:
        rows = []
        if is_signed_in(request.user):
            for community in Community.objects.filter(
                memberships__user=request.user, memberships__state="active"
            ).order_by("name"):
                default_channel_ensure(community=community)
                rows.extend(channels_of_community(community=community, user=request.user))
            for conversation in direct_conversations(user=request.user):
                conversation.channel.unread = conversation.unread
                if conversation.other is not None:
                    conversation.channel.name = str(conversation.other)
                rows.append(conversation.channel)
    results = [_channel_row(channel, request) for channel in rows]
    return {"count": len(results), "results": results}


def _refusal(status: int, code: str, text: str) -> Status:
    return Status(status, {"code": code, "message": text, "detail": text})


def _readable(request: HttpRequest, channel_id: int):
    channel = channel_get_readable(channel_id=channel_id, user=request.user)
    if channel is None:
        raise HttpError(404, _("Ce salon n'existe pas ou ne vous est pas ouvert."))
    return channel


@router.get(
    "/channels/{channel_id}/messages",
    response={200: MessagePageOut, 400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Historique d'un salon",
)
def channel_messages(request: HttpRequest, channel_id: int, params: Query[HistoryParams]):
    """Une page d'historique, du plus ancien au plus récent : après ``after`` (la
    reprise après une coupure), avant ``before`` (remonter le temps), ou les derniers."""
    if params.after is not None and params.before is not None:
        raise HttpError(400, _("Donnez « after » ou « before », pas les deux."))
    channel = _readable(request, channel_id)
    page = messages_page(
        channel=channel,
        user=request.user,
        after=params.after,
        before=params.before,
        limit=params.limit,
    )
    # More beyond this page: after its newest (reading forward), before its oldest.
    has_more = False
    if page:
        beyond = {"after": page[-1].pk} if params.after is not None else {"before": page[0].pk}
        has_more = bool(messages_page(channel=channel, user=request.user, limit=1, **beyond))
    return {
        "results": [message_frame(m) for m in page],
        "has_more": has_more,
        "last_id": channel.last_message_id,
    }


@router.post(
    "/channels/{channel_id}/messages",
    response={
        200: SentOut,
        201: SentOut,
        # A body that is not JSON never reaches the endpoint: ninja answers {"detail"}.
        400: RefusalOut | ErrorOut,
        401: RefusalOut,
        403: RefusalOut,
        404: ErrorOut,
        422: ValidationErrorOut,
        429: RefusalOut,
    },
    summary="Envoyer un message",
)
def channel_send(request: HttpRequest, channel_id: int, payload: SendIn, response: HttpResponse):
    """Envoie un message avec les règles du websocket (membre, exclusion, silence,
    salon d'annonces, mode lent, limite de débit, 4 000 caractères). 201 s'il est
    enregistré, 200 (``duplicate``) si ce ``client_id`` l'était déjà. Il faut être
    connecté (session du site) et joindre le jeton CSRF (en-tête ``X-CSRFToken``) ;
    un refus dit pourquoi (``code``, ``message``)."""
    _readable(request, channel_id)
    if not is_signed_in(request.user):
        return _refusal(401, "unauthenticated", _("Connectez-vous pour écrire."))
    if check_csrf(request) is not None:
        return _refusal(
            403,
            "csrf",
            _("Jeton CSRF absent ou invalide : rechargez la page puis réessayez."),
        )
    try:
        result = message_send(
            channel=channel_id,
            author=request.user,
            body=payload.body,
            client_id=payload.client_id,
            reply_to=payload.reply_to,
        )
    except ChatRefused as refused:
        status = REFUSAL_STATUS.get(refused.refusal_code, 403)
        retry = refused.extra.get("retry_after")
        if retry:
            response["Retry-After"] = str(retry)
        return _refusal(status, refused.refusal_code, refused.messages[0])
    frame = message_frame(result.message, reactions={} if result.created else None)
    frame["duplicate"] = not result.created
    return Status(201 if result.created else 200, frame)


@router.get(
    "/channels/{channel_id}/members",
    response={200: list[CandidateOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="Qui mentionner",
)
def channel_members(request: HttpRequest, channel_id: int, q: str = Query("", max_length=80)):
    """Les lecteurs du salon dont le nom commence par ``q`` : la complétion de « @ »."""
    channel = _readable(request, channel_id)
    return mention_candidates(channel=channel, prefix=q)
