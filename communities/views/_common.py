"""What every screen of the communities does the same way: find the community (or
answer 404), turn a service's refusal into a French message, read the feed cursor."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from ..models import Community, CommunityInvitation
from ..permissions import CommunityPermissionDenied, can_see_content, verified_emails
from ..selectors import community_get_visible

Refusal = (ValidationError, CommunityPermissionDenied)


def community_or_404(request: HttpRequest, slug: str) -> Community:
    """The community at ``slug`` if the viewer may see it (its presentation)."""
    community = community_get_visible(slug=slug, user=request.user)
    if community is None:
        raise Http404(_("Cette communauté n'existe pas ou ne vous est pas accessible."))
    return community


def content_or_404(request: HttpRequest, slug: str) -> Community:
    """The community if the viewer may see its content (members, events, feed):
    a private or secret community answers 404 to everyone else, as if absent."""
    community = community_or_404(request, slug)
    if not can_see_content(community=community, user=request.user):
        raise Http404(_("Cette communauté n'existe pas ou ne vous est pas accessible."))
    return community


def refusal_text(exc: Exception) -> str:
    """The French message of a service's refusal (one or several sentences)."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    text = str(exc)
    return text or _("Vous ne pouvez pas faire cela dans cette communauté.")


def attempt(request: HttpRequest, call: Callable[[], object], success: str) -> bool:
    """Run a service call; tell the person how it went (django messages). Returns
    whether it succeeded. A refusal is a message, never an error page."""
    try:
        call()
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
        return False
    messages.success(request, success)
    return True


def invitation_for(community: Community, user) -> CommunityInvitation | None:
    """The pending invitation of ``community`` sent to one of ``user``'s verified
    addresses (the « accepter / décliner » buttons need its token)."""
    return _invitations_for(user).filter(community=community).first()


def _invitations_for(user):
    emails = verified_emails(user)
    if not emails:
        return CommunityInvitation.objects.none()
    return CommunityInvitation.objects.filter(
        email__in=emails, accepted_at__isnull=True, declined_at__isnull=True
    ).select_related("community")


def invitations_for_user(user) -> list[CommunityInvitation]:
    """Pending, unexpired invitations to the user's addresses (« Mes communautés »)."""
    return [i for i in _invitations_for(user).order_by("-created_at") if not i.is_expired()]


def feed_cursor(request: HttpRequest) -> int | None:
    """``?avant=<id>``: the page of the feed older than that item."""
    raw = request.GET.get("avant", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def mask_email(email: str) -> str:
    """« claire@exemple.fr » → « c•••@exemple.fr »: says which address without
    giving it away to whoever holds the link."""
    local, _sep, domain = (email or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"
