"""/communautes/<slug>/moderation/: the moderators' queue of the community's channels
(reported messages grouped by message, those hidden by reports first, with their
edit history), muted members, and muting a member for a while.

The decisions (keep, hide, delete) are the per-message forms of views/channels.py
(``message_action`` with ``next`` back here); muting is ``member_mute`` below;
banning is the members page's existing action. Everything is 404 to non-moderators.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import MUTE_DURATIONS, MemberMuteForm
from ..models import Community, Membership, MembershipState, Message
from ..models.chat import HiddenReason, MessageReport, MessageRevision, ReportOutcome
from ..permissions import can_moderate
from ._common import Refusal, community_or_404, refusal_text
from .channels import next_url

QUEUE_SIZE = 100
REVISIONS_SHOWN = 20


def _moderated(request: HttpRequest, slug: str) -> Community:
    community = community_or_404(request, slug)
    if not can_moderate(community=community, user=request.user):
        raise Http404(_("Cette communauté n'existe pas ou ne vous est pas accessible."))
    return community


def _queue(community: Community) -> list[Message]:
    """Messages of the community's channels with pending reports: hidden by reports
    first, then the most reported, then the newest; each with its pending reports
    (``pending_reports``) and its previous texts (``history``)."""
    pending = MessageReport.objects.filter(outcome=ReportOutcome.PENDING)
    return list(
        Message.objects.filter(
            channel__community=community,
            pk__in=pending.filter(message__channel__community=community).values("message_id"),
        )
        .select_related("channel", "author__profile", "deleted_by")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=pending.select_related("reporter__profile").order_by("created_at"),
                to_attr="pending_reports",
            ),
            Prefetch(
                "revisions", queryset=MessageRevision.objects.order_by("pk"), to_attr="history"
            ),
        )
        .annotate(
            hidden_by_reports=Case(
                When(hidden_reason=HiddenReason.REPORTS, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("hidden_by_reports", "-report_count", "-pk")[:QUEUE_SIZE]
    )


@require_safe
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    community = _moderated(request, slug)
    now = timezone.now()
    reported = _queue(community)
    authors = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            community=community, user_id__in={m.author_id for m in reported if m.author_id}
        )
    }
    for message in reported:
        message.author_membership = authors.get(message.author_id)
    context = {
        "community": community,
        "queue": reported,
        "revisions": MessageRevision.objects.filter(message__channel__community=community)
        .select_related("message__channel", "message__author__profile")
        .order_by("-replaced_at", "-pk")[:REVISIONS_SHOWN],
        "muted": Membership.objects.filter(
            community=community, state=MembershipState.ACTIVE, muted_until__gt=now
        )
        .select_related("user__profile")
        .order_by("muted_until"),
        "mute_form": MemberMuteForm(),
        "queue_url": request.path,
    }
    return render(request, "communities/channels/moderation.html", context)


@login_required
@require_POST
def member_mute(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """« Réduire au silence » for a while, or (``lever``) lift it. Back to ``next``
    (the members page or the queue)."""
    community = _moderated(request, slug)
    back = next_url(request) or reverse("communities:chat_moderation", kwargs={"slug": slug})
    target = get_user_model().objects.filter(pk=user_id).first()
    if target is None:
        messages.error(request, _("Cette personne n'est pas membre de la communauté."))
        return redirect(back)
    name = str(target)
    try:
        if "lever" in request.POST:
            services.member_unmute(community=community, actor=request.user, user=target)
            messages.success(request, _("%(name)s peut de nouveau écrire.") % {"name": name})
            return redirect(back)
        form = MemberMuteForm(request.POST)
        if not form.is_valid():
            errors = [str(e) for errors in form.errors.values() for e in errors]
            messages.error(request, " ".join(errors))
            return redirect(back)
        services.member_mute(
            community=community,
            actor=request.user,
            user=target,
            until=timezone.now() + form.delta,
        )
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
    else:
        duration = MUTE_DURATIONS[form.cleaned_data["duration"]][1]
        messages.success(
            request,
            _("%(name)s est réduit·e au silence pour %(duration)s : lecture seule.")
            % {"name": name, "duration": duration},
        )
    return redirect(back)
