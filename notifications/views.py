"""Pages of the notifications centre: the list, opening one, marking read, the
e-mail preferences, and the one-click unsubscribe page. Views parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import person_shown

from . import selectors, services
from .forms import PreferencesForm
from .unsubscribe import InvalidUnsubscribeLink

PAGE_SIZE = 20


def _list_url(request: HttpRequest) -> str:
    """Back to the list, on the page the form was sent from."""
    url = reverse("notifications:list")
    page = request.POST.get("page", "")
    if page.isdigit() and 1 < int(page) < 10_000:
        url += f"?page={int(page)}"
    return url


def _not_found() -> Http404:
    return Http404(_("Cette notification n'existe pas."))


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.notifications_for(user=request.user), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    entries = [
        (n, person_shown(user=n.actor, viewer=request.user) if n.actor_id else None)
        for n in page_obj
    ]
    return render(
        request,
        "notifications/notification_list.html",
        # The unread count comes from the header's context processor (one query).
        {"page_obj": page_obj, "entries": entries},
    )


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """A link (works from the list and from e-mails): mark read, then go where the
    notification leads — a path of this site only, else back to the list."""
    notification = selectors.notification_for(user=request.user, notification_id=notification_id)
    if notification is None:
        raise _not_found()
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(selectors.notification_target(notification=notification))


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_for(user=request.user, notification_id=notification_id)
    if notification is None:
        raise _not_found()
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    messages.success(
        request, _("Notification « %(title)s » marquée comme lue.") % {"title": notification.title}
    )
    return redirect(_list_url(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marquée comme lue.",
                "%(count)d notifications marquées comme lues.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Vous n'aviez aucune notification non lue."))
    return redirect(_list_url(request))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.preferences_for(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, kinds=current)
    if form.is_bound and form.is_valid():
        try:
            services.preferences_update(user=request.user, modes=form.modes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Vos préférences de notification ont été enregistrées."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# No CSRF token: the signed token in the address is what authorises the change (a
# forged request would need it), and mail clients send RFC 8058's one-click POST
# (« List-Unsubscribe=One-Click ») without any. GET only shows the confirmation
# form: link checkers and prefetchers that open e-mail links change nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            unsubscription = services.unsubscribe_apply(token=token)
        else:
            unsubscription = selectors.unsubscription_read(token=token)
    except InvalidUnsubscribeLink:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"unsubscription": unsubscription, "done": request.method == "POST"},
    )
