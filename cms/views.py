"""Site-wide views: health, error pages."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


def page_not_found(request: HttpRequest, exception=None):
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest):
    # Rendered without the request context: the failure may come from it.
    return render(request, "500.html", status=500, context={"request": None})
