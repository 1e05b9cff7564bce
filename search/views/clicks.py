"""/recherche/clic: the beacon the results page sends when a result is followed
(static/js/carrefour.js). Without JavaScript nothing is sent and nothing breaks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..clicks import ClickError, click_record


# CSRF-exempt on purpose: navigator.sendBeacon cannot set the X-CSRFToken header,
# and the page being left may have no token to put in the form data. The endpoint
# only increments an anonymous, aggregated counter (no session, no user, nothing
# read back), so a forged request can do no more than a visitor clicking.
@csrf_exempt
@require_POST
def click(request: HttpRequest) -> HttpResponse:
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        return _bad_request(_("Position invalide : un nombre entier est attendu."))
    try:
        click_record(
            query=request.POST.get("q", ""),
            key=request.POST.get("key", ""),
            position=position,
            first=request.POST.get("first") == "1",
        )
    except ClickError as exc:
        return _bad_request(str(exc))
    return HttpResponse(status=204)


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
