"""Events: /communautes/<slug>/evenements/ (upcoming, past, the moderators' form)
and /evenements/<id>/ (details, answers, waiting list, « ajouter à mon agenda »).

An event is content: whoever may not see its community's content gets a 404
(``event_get_visible``). Times show in the event's own time zone."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.absolute_urls import absolute_url

from .. import services
from ..forms import EventForm, MessageForm, RsvpForm, add_service_error
from ..ics import event_place
from ..models import Answer, Event
from ..paths import event_path
from ..permissions import can_moderate
from ..rules import allowed
from ..selectors import (
    event_attendance,
    event_get_visible,
    events_past,
    events_upcoming,
    rsvp_of,
    waiting_position,
)
from ._common import Refusal, attempt, content_or_404, refusal_text

PAST_PAGE_SIZE = 20
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"


def _save_event(request: HttpRequest, form: EventForm, save) -> Event | None:
    """Call ``save(data)``; a refusal lands on the form (per field) and gives None."""
    try:
        return save(form.to_input())
    except Refusal as exc:
        if hasattr(exc, "error_dict"):
            add_service_error(form, exc)
        else:
            form.add_error(None, refusal_text(exc))
        return None


@require_http_methods(["GET", "POST"])
def community_events(request: HttpRequest, slug: str) -> HttpResponse:
    community = content_or_404(request, slug)
    user = request.user
    can_create = allowed("event_create", community=community, actor=user)
    form = None
    if can_create:
        form = EventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_create:
            messages.error(request, _("Seuls les modérateurs de la communauté peuvent faire cela."))
            return redirect("communities:events", slug=community.slug)
        if form.is_valid():
            event = _save_event(
                request,
                form,
                lambda data: services.event_create(community=community, actor=user, data=data),
            )
            if event is not None:
                messages.success(
                    request,
                    _("L'événement « %(title)s » est créé : les membres en sont avertis.")
                    % {"title": event.title},
                )
                return redirect("communities:event", event_id=event.pk)
    past = Paginator(events_past(community=community, viewer=user), PAST_PAGE_SIZE)
    return render(
        request,
        "communities/events.html",
        {
            "community": community,
            "upcoming": events_upcoming(community=community, viewer=user),
            "page_obj": past.get_page(request.GET.get("page")),
            "form": form,
        },
    )


def _event_or_404(request: HttpRequest, event_id: int) -> Event:
    event = event_get_visible(event_id=event_id, user=request.user)
    if event is None:
        raise Http404(_("Cet événement n'existe pas ou ne vous est pas accessible."))
    return event


def google_calendar_url(event: Event, *, request: HttpRequest) -> str:
    """« Ajouter à Google Agenda »: the event's title, UTC times, place and page."""
    start, end = (d.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for d in (event.start, event.end))
    page = absolute_url(event_path(event), request=request)
    details = "\n\n".join(p for p in (event.description[:1500], page) if p)
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{start}/{end}",
        "details": details,
        "location": event.online_url or event_place(event),
        "ctz": event.timezone,
    }
    return f"{GOOGLE_CALENDAR}?{urlencode(params)}"


def _event_context(request: HttpRequest, event: Event) -> dict:
    user = request.user
    rsvp = rsvp_of(event=event, user=user)
    return {
        "event": event,
        "community": event.community,
        "attendance": event_attendance(event=event, viewer=user),
        "rsvp": rsvp,
        "waiting_position": waiting_position(rsvp=rsvp) if rsvp else None,
        "can_rsvp": allowed("rsvp_set", community=event.community, actor=user, target=event),
        "can_edit": allowed("event_update", community=event.community, actor=user, target=event),
        "is_moderator": can_moderate(community=event.community, user=user),
        "place": event_place(event),
        "is_past": event.end <= timezone.now(),
        "google_calendar_url": google_calendar_url(event, request=request),
        "answers": Answer,
        "cancel_form": MessageForm(
            prefix="cancel", label=_("Message aux participants (facultatif)")
        ),
    }


@require_safe
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id)
    return render(request, "communities/event_detail.html", _event_context(request, event))


def _rsvp_message(rsvp) -> str:
    if rsvp.waitlisted:
        position = waiting_position(rsvp=rsvp)
        if position == 1:
            return _(
                "L'événement est complet : vous êtes en tête de la liste d'attente. "
                "Vous serez prévenu·e si une place se libère."
            )
        return _(
            "L'événement est complet : vous êtes %(position)sᵉ sur la liste d'attente. "
            "Vous serez prévenu·e si une place se libère."
        ) % {"position": position}
    if rsvp.answer == Answer.GOING:
        return _("C'est noté : vous y allez.")
    if rsvp.answer == Answer.MAYBE:
        return _("C'est noté : vous viendrez peut-être.")
    return _("C'est noté : vous n'y allez pas.")


@login_required
@require_POST
def rsvp(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choisissez une réponse : j'y vais, peut-être ou je n'y vais pas.")
        )
        return redirect("communities:event", event_id=event.pk)
    try:
        answer = services.rsvp_set(
            event=event, user=request.user, answer=form.cleaned_data["answer"]
        )
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _rsvp_message(answer))
    return redirect("communities:event", event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id)
    if not allowed("event_update", community=event.community, actor=request.user, target=event):
        messages.error(
            request,
            _("Seuls les modérateurs de la communauté peuvent modifier un événement à venir."),
        )
        return redirect("communities:event", event_id=event.pk)
    form = EventForm(
        request.POST if request.method == "POST" else None, initial=EventForm.initial_for(event)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_event(
            request,
            form,
            lambda data: services.event_update(event=event, actor=request.user, data=data),
        )
        if saved is not None:
            messages.success(
                request, _("L'événement est modifié : les participants en sont avertis.")
            )
            return redirect("communities:event", event_id=event.pk)
    return render(
        request,
        "communities/event_form.html",
        {"event": event, "community": event.community, "form": form},
    )


@login_required
@require_POST
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(request, event_id)
    form = MessageForm(request.POST, prefix="cancel")
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("message", [])))
        return redirect("communities:event", event_id=event.pk)
    attempt(
        request,
        lambda: services.event_cancel(
            event=event, actor=request.user, message=form.cleaned_data["message"]
        ),
        _("L'événement est annulé : les participants en sont avertis."),
    )
    return redirect("communities:event", event_id=event.pk)
