"""What the communities hold about a person: their export, and what happens to the
communities they own when they delete their account."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from .models import Announcement, Membership, MembershipState, Role, Rsvp


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
    member (a community with nobody else keeps no owner; editors see it in the
    admin). Their places at upcoming events go to the waiting lists; their
    memberships and answers go with the account (CASCADE)."""
    from .services.rsvp import rsvps_release_for_member

    for membership in Membership.objects.filter(user=user).select_related("community"):
        rsvps_release_for_member(community=membership.community, user=user)
    owned = Membership.objects.filter(user=user, role=Role.OWNER, state=MembershipState.ACTIVE)
    for membership in owned.select_related("community"):
        others = Membership.objects.filter(
            community=membership.community, state=MembershipState.ACTIVE
        ).exclude(user=user)
        if others.filter(role=Role.OWNER).exists():
            continue
        rank = Case(
            When(role=Role.MODERATOR, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        successor = others.annotate(rank=rank).order_by("rank", "joined_at", "pk").first()
        if successor is not None:
            successor.role = Role.OWNER
            successor.save(update_fields=["role", "updated_at"])
