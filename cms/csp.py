"""Content-Security-Policy: django-csp's middleware, with one policy for the public
site (``CONTENT_SECURITY_POLICY``) and another for the Wagtail admin
(``ADMIN_CONTENT_SECURITY_POLICY``), both in ``cms/settings/base.py`` where the
reasons for each directive are written down."""

from __future__ import annotations

from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.urls import reverse


@cache
def _admin_prefix() -> str:
    return reverse("wagtailadmin_home")


class CarrefourCSPMiddleware(CSPMiddleware):
    """django-csp's middleware; under the Wagtail admin's prefix the admin policy
    replaces the public one (a view's own ``@csp`` decorator still wins).

    A page preview is rendered by Wagtail through a dummy request to the page's own
    URL (``request.is_preview``): it keeps the public policy — the preview shows what
    visitors get — except that the admin's preview panel may frame it."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and request.path_info.startswith(_admin_prefix()):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        if getattr(request, "is_preview", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts
