"""Site-wide views: health, error pages."""

from __future__ import annotations

import hmac
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import outage
from .health import details_visible, run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(c.ok for c in checks if c.required)
    status = 200 if healthy else 503
    if not details_visible(
        user=getattr(request, "user", None),
        authorization=request.headers.get("Authorization", ""),
    ):
        return JsonResponse({"status": "ok" if healthy else "error"}, status=status)
    body = {
        "status": "ok" if healthy else "error",
        "checks": {
            c.name: {
                "ok": c.ok,
                "required": c.required,
                "backend": c.backend,
                "detail": c.detail,
                "duration_ms": c.duration_ms,
            }
            for c in checks
        },
    }
    return JsonResponse(body, status=status)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (django-prometheus: requests, latencies, responses by
    status, per view) for the scraper's token or an administrator; a 404 otherwise,
    so that nobody learns the endpoint exists. With several worker processes,
    PROMETHEUS_MULTIPROC_DIR (set by make serve) sums them."""
    from django_prometheus.exports import ExportToDjangoView

    token = settings.METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    by_token = bool(token) and hmac.compare_digest(authorization, f"Bearer {token}")
    user = getattr(request, "user", None)
    if not by_token and not (user is not None and user.is_active and user.is_superuser):
        raise Http404
    return ExportToDjangoView(request)


@never_cache
@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """The footer's language switcher: a GET form, so that pages carry no CSRF token
    for it and stay in the anonymous page cache (core/page_cache.py); a forged link
    could at worst switch a visitor's language, which the same switcher undoes.
    Django's POST /i18n/setlang/ stays available."""
    code = request.GET.get("language", "")
    target = request.GET.get("next", "") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in {c for c, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def page_not_found(request: HttpRequest, exception=None):
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest):
    """500, or 503 when the database does not answer (server restarting, pool
    exhausted): the page says to retry, and the proxy or client may (Retry-After).
    Rendered without the request context: the failure may come from it."""
    if _database_unavailable(sys.exc_info()[1]):
        # The next requests get it at once (cms/outage.py).
        return outage.unavailable_response(request)
    return render(request, "500.html", status=500, context={"request": None})


def _database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
