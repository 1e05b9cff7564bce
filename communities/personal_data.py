"""What the communities hold about a person: their export, and what happens to the
communities they own and to their messages when they delete their account."""

from __future__ import annotations

from django.db.models import Prefetch

from search.indexing import enqueue

from .models import (
    Announcement,
    ChannelMember,
    ChatPreference,
    InspirationRequest,
    Membership,
    Message,
    MessageReport,
    MessageRevision,
    Rsvp,
)
from .search_messages import MessageAdapter


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _channel_label(channel) -> dict:
    if channel.community_id is None:
        return {"salon": "message direct", "communaute": None}
    return {"salon": f"#{channel.name}", "communaute": channel.community.name}


def export_chat(user) -> dict:
    """Their messages in channels and direct conversations (deleted and hidden ones
    too: the text is still stored, for moderation), the earlier texts of the edited
    ones, the reports they made, their messaging choices."""
    messages = (
        Message.objects.filter(author=user)
        .select_related("channel__community")
        .prefetch_related(
            Prefetch("revisions", queryset=MessageRevision.objects.order_by("replaced_at", "pk"))
        )
        .order_by("pk")
    )
    reports = (
        MessageReport.objects.filter(reporter=user)
        .select_related("message__channel__community")
        .order_by("pk")
    )
    preference = ChatPreference.objects.filter(user=user).first()
    return {
        "messages": [
            {
                **_channel_label(m.channel),
                "date": _iso(m.created_at),
                "texte": m.body,
                "modifie_le": _iso(m.edited_at),
                "versions_precedentes": [
                    {"texte": r.body, "remplace_le": _iso(r.replaced_at)} for r in m.revisions.all()
                ],
                "supprime_le": _iso(m.deleted_at),
                "masque_le": _iso(m.hidden_at),
            }
            for m in messages
        ],
        "signalements": [
            {
                **_channel_label(r.message.channel),
                "date": _iso(r.created_at),
                "motif": r.reason,
                "decision": r.outcome,
            }
            for r in reports
        ],
        "salons_suivis": [
            {**_channel_label(m.channel), "notifications_coupees": m.muted}
            for m in ChannelMember.objects.filter(user=user)
            .select_related("channel__community")
            .order_by("pk")
        ],
        "messages_directs_acceptes": preference.direct_messages if preference else True,
    }


def export_communities(user) -> dict:
    memberships = Membership.objects.filter(user=user).select_related("community")
    return {
        "adhesions": [
            {
                "communaute": m.community.name,
                "role": m.role,
                "etat": m.state,
                "message": m.request_message,
                "charte_acceptee_le": m.charter_accepted_at.isoformat()
                if m.charter_accepted_at
                else None,
                "membre_depuis": m.joined_at.isoformat() if m.joined_at else None,
            }
            for m in memberships
        ],
        "reponses_aux_evenements": [
            {"evenement": r.event.title, "reponse": r.answer, "en_attente": r.waitlisted}
            for r in Rsvp.objects.filter(user=user).select_related("event")
        ],
        "annonces": [
            {"communaute": a.community.name, "titre": a.title, "texte": a.body}
            for a in Announcement.objects.filter(author=user).select_related("community")
        ],
        "discussions": export_chat(user),
    }


def anonymise_communities(user) -> None:
    """A community always has an owner: one its last owner leaves by deleting their
    account passes to its longest-standing moderator, else its longest-standing
    member (``services.ownership_succession``: locked, audited, the new owner told).
    Their places at upcoming events go to the waiting lists; their memberships and
    answers go with the account (CASCADE).

    Their messages stay in their channels (a conversation with holes would make the
    others' answers unreadable), signed « Compte supprimé »: the account's deletion
    empties ``Message.author`` (SET_NULL), and their search documents, which carry
    the author's name, are rebuilt after the commit. Their reactions, read markers
    and preferences go with the account; their reports stay, without reporter."""
    from .services.membership import ownership_succession

    ownership_succession(user=user)
    enqueue(
        kind=MessageAdapter.kind,
        object_ids=Message.objects.filter(author=user).values_list("pk", flat=True),
    )


def export_inspirations(user) -> dict:
    """« S'en inspirer »: the requests they sent (where, for whom, why, the team's
    answer) and the answers they gave as a project's team member."""
    sent = (
        InspirationRequest.objects.filter(requester=user)
        .select_related("project", "territory")
        .order_by("created_at", "pk")
    )
    answered = (
        InspirationRequest.objects.filter(decided_by=user)
        .select_related("project", "territory")
        .order_by("decided_at", "pk")
    )
    return {
        "demandes_envoyees": [
            {
                "projet": r.project.title,
                "territoire": str(r.territory),
                "organisation": r.organisation,
                "message": r.message,
                "etat": r.status,
                "envoyee_le": _iso(r.created_at),
                "repondue_le": _iso(r.decided_at),
                "reponse": r.response,
            }
            for r in sent
        ],
        "reponses_donnees": [
            {
                "projet": r.project.title,
                "etat": r.status,
                "repondue_le": _iso(r.decided_at),
                "reponse": r.response,
            }
            for r in answered
        ],
    }


def anonymise_inspirations(user) -> None:
    """Their requests go with the account (CASCADE); the teams' notifications of
    them, which quote their name and message, are taken back after the commit. The
    answers they gave as a team member stay with the requests (the requester
    received them), without their name (``decided_by`` SET_NULL)."""
    from .notify import inspirations as notify

    for inspiration in InspirationRequest.objects.filter(requester=user).only("pk", "project_id"):
        notify.inspiration_withdrawn(inspiration=inspiration)
