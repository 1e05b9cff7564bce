"""Channel pages: a community's channels, one channel (history and a plain form that
posts: the page works without JavaScript; static/js/chat.js adds the live part over
/ws/), direct conversations, a message's permanent address, the moderators' queue."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..models import Message
from ..paths import channel_path
from ..permissions import can_read_channel


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
