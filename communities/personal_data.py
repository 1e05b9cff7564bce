"""What the communities hold about a person: their export, and what happens to the
communities they own when they delete their account."""

from __future__ import annotations

from .models import Announcement, Membership, Rsvp


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
    }


def anonymise_communities(user) -> None:
    """A community always has an owner: one its last owner leaves by deleting their
    account passes to its longest-standing moderator, else its longest-standing
    member (``services.ownership_succession``: locked, audited, the new owner told).
    Their places at upcoming events go to the waiting lists; their memberships and
    answers go with the account (CASCADE)."""
    from .services.membership import ownership_succession

    ownership_succession(user=user)
