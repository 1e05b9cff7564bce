"""/communautes/<slug>/membres/: the members directory, and for moderators the
management of the community (requests, invitations, roles, exclusions, journal).

Who sees what: the directory is content (communities/permissions.py: anyone for a
public community, active members for a private or secret one, never the people it
banned); the management forms show to moderators, and their POSTs go through the
services, which check again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import DecisionForm, InviteForm, MemberActionForm
from ..models import Community, CommunityInvitation, Membership, MembershipState, Role
from ..permissions import CommunityPermissionDenied, can_moderate, can_see_content
from ..rules import allowed
from ..selectors import (
    audit_entries,
    community_members,
    invitations_pending,
    membership_requests_pending,
    memberships_banned,
)
from ._common import Refusal, attempt, community_or_404, refusal_text

AUDIT_PAGE_SIZE = 30


def _community(request: HttpRequest, slug: str) -> Community:
    community = community_or_404(request, slug)
    user = request.user
    if not (
        can_see_content(community=community, user=user)
        or can_moderate(community=community, user=user)
    ):
        raise Http404(_("Cette communauté n'existe pas ou ne vous est pas accessible."))
    return community


def _member_actions(community: Community, actor, membership: Membership) -> list[str]:
    """The actions the rules allow ``actor`` on this member (buttons to show)."""
    target = membership.user
    checks = {
        "promote": ("membership_promote", {"role": Role.MODERATOR}),
        "demote": ("membership_demote", {}),
        "transfer": ("ownership_transfer", {}),
        "remove": ("membership_remove", {}),
        "ban": ("membership_ban", {}),
    }
    return [
        name
        for name, (action, options) in checks.items()
        if allowed(action, community=community, actor=actor, target=target, **options)
    ]


def _context(request: HttpRequest, community: Community, **forms) -> dict:
    user = request.user
    moderator = can_moderate(community=community, user=user)
    members = community_members(community=community, viewer=user)
    context = {
        "community": community,
        "is_moderator": moderator,
        "members": [
            {
                "membership": m,
                "actions": _member_actions(community, user, m) if moderator else [],
            }
            for m in members
        ],
    }
    if moderator:
        audit = Paginator(audit_entries(community=community, viewer=user), AUDIT_PAGE_SIZE)
        context.update(
            requests=membership_requests_pending(community=community, viewer=user),
            invitations=invitations_pending(community=community, viewer=user),
            banned=memberships_banned(community=community, viewer=user),
            page_obj=audit.get_page(request.GET.get("page")),
            invite_form=forms.pop("invite_form", None) or InviteForm(),
        )
    context.update(forms)
    return context


@require_safe
def members(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(request, "communities/members.html", _context(request, community))


def _back(community: Community) -> HttpResponse:
    return redirect("communities:members", slug=community.slug)


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    community = _community(request, slug)
    form = DecisionForm(request.POST)
    membership = (
        community.memberships.filter(pk=membership_id, state=MembershipState.REQUESTED)
        .select_related("user")
        .first()
    )
    if membership is None or not form.is_valid():
        messages.error(request, _("Cette demande n'existe pas ou a déjà reçu une réponse."))
        return _back(community)
    approve = form.cleaned_data["decision"] == "approve"
    service = services.membership_approve if approve else services.membership_refuse
    name = str(membership.user)
    attempt(
        request,
        lambda: service(
            community=community,
            actor=request.user,
            user=membership.user,
            message=form.cleaned_data["message"],
        ),
        (
            _("%(name)s est maintenant membre de la communauté.")
            if approve
            else _("La demande de %(name)s est refusée.")
        )
        % {"name": name},
    )
    return _back(community)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            invitation = services.invitation_create(
                community=community,
                inviter=request.user,
                email=email,
                message=form.cleaned_data["message"],
            )
        except CommunityPermissionDenied as exc:
            messages.error(request, refusal_text(exc))
            return _back(community)
        except Refusal as exc:
            field = "message" if getattr(exc, "code", "") == "too_long" else "email"
            form.add_error(field, exc)
        else:
            messages.success(
                request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email}
            )
            return _back(community)
    if not can_moderate(community=community, user=request.user):
        messages.error(request, _("Seuls les modérateurs de la communauté peuvent faire cela."))
        return _back(community)
    return render(
        request, "communities/members.html", _context(request, community, invite_form=form)
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    community = _community(request, slug)
    invitation = CommunityInvitation.objects.filter(
        pk=invitation_id, community=community, accepted_at__isnull=True
    ).first()
    if invitation is None:
        messages.error(request, _("Cette invitation n'existe pas ou a déjà servi."))
        return _back(community)
    attempt(
        request,
        lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
        _("L'invitation à %(email)s est annulée.") % {"email": invitation.email},
    )
    return _back(community)


def _member_call(action: str, *, community, actor, user, message: str):
    calls = {
        "promote": lambda: services.membership_promote(
            community=community, actor=actor, user=user, role=Role.MODERATOR
        ),
        "demote": lambda: services.membership_demote(community=community, actor=actor, user=user),
        "transfer": lambda: services.ownership_transfer(
            community=community, actor=actor, user=user
        ),
        "remove": lambda: services.membership_remove(
            community=community, actor=actor, user=user, message=message
        ),
        "ban": lambda: services.membership_ban(
            community=community, actor=actor, user=user, message=message
        ),
        "unban": lambda: services.membership_unban(community=community, actor=actor, user=user),
    }
    return calls[action]


SUCCESS = {
    "promote": gettext_lazy("%(name)s est maintenant modérateur ou modératrice."),
    "demote": gettext_lazy("Le rôle de %(name)s est réduit."),
    "transfer": gettext_lazy("%(name)s est maintenant propriétaire de la communauté."),
    "remove": gettext_lazy("%(name)s ne fait plus partie de la communauté."),
    "ban": gettext_lazy("%(name)s est exclu·e de la communauté."),
    "unban": gettext_lazy("L'exclusion de %(name)s est levée."),
}


@login_required
@require_POST
def member_action(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    community = _community(request, slug)
    form = MemberActionForm(request.POST)
    target = get_user_model().objects.filter(pk=user_id).first()
    if target is None or not community.memberships.filter(user=target).exists():
        messages.error(request, _("Cette personne n'est pas membre de la communauté."))
        return _back(community)
    if not form.is_valid():
        errors = form.errors.get("message") or [_("Action inconnue.")]
        messages.error(request, " ".join(str(e) for e in errors))
        return _back(community)
    action = form.cleaned_data["action"]
    call = _member_call(
        action,
        community=community,
        actor=request.user,
        user=target,
        message=form.cleaned_data["message"],
    )
    attempt(request, call, str(SUCCESS[action]) % {"name": str(target)})
    if not can_see_content(community=community, user=request.user) and not can_moderate(
        community=community, user=request.user
    ):
        return redirect("communities:detail", slug=community.slug)
    return _back(community)
