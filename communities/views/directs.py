"""/messages/: one's direct conversations (and the unread channels the header counts),
the preference « accepter les messages directs », one conversation (the same page
as a channel), « Écrire un message » (POST: opens or creates the conversation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import DirectPreferenceForm
from ..models import ChannelMember, Membership, MembershipState
from ..paths import channel_path, directs_path
from ..permissions import direct_messages_accepted
from ..selectors.channels import channel_get_readable, channels_of_community, direct_conversations
from ._common import Refusal, refusal_text
from .chat_page import NOT_FOUND, channel_page, mute_toggle, next_url


def _my_channels_unread(user) -> list[dict]:
    """The channels of ``user``'s communities with unread messages (the header's count
    includes them; this page says where they are)."""
    memberships = Membership.objects.filter(user=user, state=MembershipState.ACTIVE).select_related(
        "community"
    )
    found = []
    for membership in memberships:
        for item in channels_of_community(community=membership.community, user=user):
            if item.unread and not item.muted_flag:
                found.append({"community": membership.community, "channel": item})
    return found


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def directs(request: HttpRequest) -> HttpResponse:
    """``/messages/``: one's direct conversations, the channels with unread messages,
    and whether one accepts direct messages (POST)."""
    user = request.user
    if request.method == "POST":
        form = DirectPreferenceForm(request.POST)
        form.is_valid()
        accepted = bool(form.cleaned_data.get("direct_messages"))
        services.direct_messages_set(user=user, accepted=accepted)
        messages.success(
            request,
            _("Vous acceptez les messages directs.")
            if accepted
            else _("Vous ne recevez plus de nouveaux messages directs."),
        )
        return redirect(directs_path())
    context = {
        "conversations": direct_conversations(user=user),
        "unread_channels": _my_channels_unread(user),
        "preference_form": DirectPreferenceForm(
            initial={"direct_messages": direct_messages_accepted(user)}
        ),
    }
    return render(request, "communities/channels/directs.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def direct(request: HttpRequest, channel_id: int) -> HttpResponse:
    found = channel_get_readable(channel_id=channel_id, user=request.user)
    if found is None or not found.is_direct:
        raise Http404(NOT_FOUND)
    other = (
        ChannelMember.objects.filter(channel=found)
        .exclude(user=request.user)
        .select_related("user__profile")
        .first()
    )
    return channel_page(request, found, other=other.user if other else None)


@login_required
@require_POST
def direct_mute(request: HttpRequest, channel_id: int) -> HttpResponse:
    found = channel_get_readable(channel_id=channel_id, user=request.user)
    if found is None or not found.is_direct:
        raise Http404(NOT_FOUND)
    return mute_toggle(request, found)


@login_required
@require_POST
def direct_open(request: HttpRequest, user_id: int) -> HttpResponse:
    """« Écrire un message »: the conversation with that person, opened the first
    time; a refusal (no shared community, messages turned off) is said in French."""
    other = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    try:
        conversation = services.direct_channel_open(user=request.user, other=other)
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
        return redirect(next_url(request) or directs_path())
    return redirect(channel_path(conversation))
