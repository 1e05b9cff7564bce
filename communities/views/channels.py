"""Channel pages: a community's channels (and creating one), one channel (the page
itself is views/chat_page.py, shared with direct conversations: history and a
plain form that posts, the live part being static/js/chat.js over /ws/), its
settings and « couper les notifications », a message's permanent address and the
per-message forms (edit, delete, react, report; hide, restore, delete for
moderators). Direct messages are views/directs.py, the moderators' queue
views/chat_moderation.py.

Who reads a channel is ``permissions.channels_readable_by`` (through the selectors:
None → 404); who may post is ``permissions.channel_post_refusal``; every POST goes
to a service, whose refusal (``ChatRefused``, French) becomes a django message.
The buttons shown per message mirror the services' rules for display only: the
services check again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import services
from ..forms import ChannelForm
from ..models import Channel, Message
from ..paths import channel_path, channels_path
from ..permissions import can_moderate, can_read_channel
from ..selectors.channels import channels_of_community, community_channel_get
from ._common import Refusal, attempt, community_or_404, content_or_404, refusal_text
from .chat_page import NOT_FOUND, channel_page, mute_toggle, next_url

# --- a community's channels -----------------------------------------------------


def _channels_context(request: HttpRequest, community, **forms) -> dict:
    services.default_channel_ensure(community=community)
    moderator = can_moderate(community=community, user=request.user)
    context = {
        "community": community,
        "channels": channels_of_community(community=community, user=request.user),
        "is_moderator": moderator,
    }
    if moderator:
        context["channel_form"] = forms.pop("channel_form", None) or ChannelForm()
    return context


@require_safe
def channel_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = content_or_404(request, slug)
    return render(request, "communities/channels/list.html", _channels_context(request, community))


@require_http_methods(["GET", "HEAD", "POST"])
def channel_new(request: HttpRequest, slug: str) -> HttpResponse:
    """POST: a moderator creates a channel. A channel whose address is « nouveau »
    (a channel named so) is still reachable: its page, and its composer's POST."""
    if request.method != "POST" or "body" in request.POST:
        return channel(request, slug, "nouveau")
    community = content_or_404(request, slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={channels_path(community)}")
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            created = services.channel_create(
                community=community, actor=request.user, data=form.to_input()
            )
        except Refusal as exc:
            if getattr(exc, "refusal_code", "") == "forbidden":
                messages.error(request, refusal_text(exc))
                return redirect(channels_path(community))
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Le salon « %(name)s » est ouvert.") % {"name": created.name}
            )
            return redirect(channel_path(created))
    if not can_moderate(community=community, user=request.user):
        messages.error(request, _("Seuls les animateurs et modérateurs gèrent les salons."))
        return redirect(channels_path(community))
    context = _channels_context(request, community, channel_form=form)
    context["form"] = form  # base.html prefixes the title with « Erreur : »
    return render(request, "communities/channels/list.html", context)


def _community_channel(request: HttpRequest, slug: str, channel_slug: str) -> Channel:
    community = community_or_404(request, slug)
    found = community_channel_get(community=community, slug=channel_slug, user=request.user)
    if found is None and channel_slug == "general":
        # Communities made before channels existed get « général » on first visit.
        services.default_channel_ensure(community=community)
        found = community_channel_get(community=community, slug=channel_slug, user=request.user)
    if found is None:
        raise Http404(NOT_FOUND)
    return found


@require_http_methods(["GET", "HEAD", "POST"])
def channel(request: HttpRequest, slug: str, channel_slug: str) -> HttpResponse:
    return channel_page(request, _community_channel(request, slug, channel_slug))


@login_required
@require_POST
def channel_settings(request: HttpRequest, slug: str, channel_slug: str) -> HttpResponse:
    found = _community_channel(request, slug, channel_slug)
    if "archiver" in request.POST:
        done = attempt(
            request,
            lambda: services.channel_archive(channel=found, actor=request.user),
            _("Le salon « %(name)s » est archivé : on peut le lire, plus y écrire.")
            % {"name": found.name},
        )
        return redirect(channels_path(found.community) if done else channel_path(found))
    form = ChannelForm(request.POST, prefix="reglages")
    if not form.is_valid():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(errors))
        return redirect(f"{channel_path(found)}#reglages")
    attempt(
        request,
        lambda: services.channel_update(channel=found, actor=request.user, data=form.to_input()),
        _("Les réglages du salon sont enregistrés."),
    )
    return redirect(channel_path(found))


@login_required
@require_POST
def channel_mute(request: HttpRequest, slug: str, channel_slug: str) -> HttpResponse:
    return mute_toggle(request, _community_channel(request, slug, channel_slug))


# --- a message: its address and its actions --------------------------------------


@require_safe
def message_redirect(request: HttpRequest, message_id: int) -> HttpResponse:
    """``/discussions/message/<id>/`` (notifications, search results): the message in
    its channel, for those who may read it; 404 for everyone else."""
    message = (
        Message.objects.select_related("channel__community")
        .filter(pk=message_id, deleted_at__isnull=True)
        .first()
    )
    if message is None or not can_read_channel(channel=message.channel_id, user=request.user):
        raise Http404(_("Ce message n'existe pas ou ne vous est pas accessible."))
    return redirect(f"{channel_path(message.channel)}?autour={message.pk}#message-{message.pk}")


MESSAGE_ACTIONS = ("edit", "delete", "react", "report", "hide", "restore", "moderate_delete")


def _message_call(action: str, request: HttpRequest, message: Message):
    """(the service call, its success message) for ``action``."""
    user, pk = request.user, message.pk
    if action == "edit":
        body = request.POST.get("edited_body", "")
        return (
            lambda: services.message_edit(message_id=pk, actor=user, body=body),
            _("Message modifié."),
        )
    if action == "react":
        emoji = request.POST.get("emoji", "")
        return lambda: services.reaction_toggle(message_id=pk, user=user, emoji=emoji), ""
    if action == "report":
        reason = request.POST.get("reason", "")
        return (
            lambda: services.message_report(message_id=pk, reporter=user, reason=reason),
            _("Merci : le message est signalé aux modérateurs, qui vont le regarder."),
        )
    calls = {
        "delete": (services.message_delete, _("Message supprimé.")),
        "hide": (services.message_hide, _("Message masqué pour les lecteurs.")),
        "restore": (
            services.message_restore,
            _("Message conservé : il est de nouveau visible de tous."),
        ),
        "moderate_delete": (
            services.message_moderate_delete,
            _("Message supprimé par la modération."),
        ),
    }
    service, success = calls[action]
    return lambda: service(message_id=pk, actor=user), success


@login_required
@require_POST
def message_action(request: HttpRequest, message_id: int, action: str) -> HttpResponse:
    """The per-message forms: edit, delete, react, report (readers), hide, restore,
    moderate_delete (moderators). Back to the message, or to ``next`` (the queue)."""
    if action not in MESSAGE_ACTIONS:
        raise Http404(_("Action inconnue."))
    message = Message.objects.select_related("channel__community").filter(pk=message_id).first()
    if message is None or not can_read_channel(channel=message.channel_id, user=request.user):
        raise Http404(_("Ce message n'existe pas ou ne vous est pas accessible."))
    call, success = _message_call(action, request, message)
    try:
        call()
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
    else:
        if success:
            messages.success(request, success)
    target = next_url(request)
    if target:
        return redirect(target)
    back = channel_path(message.channel)
    if action in ("delete", "moderate_delete"):
        return redirect(back)
    return redirect(f"{back}?autour={message.pk}#message-{message.pk}")
