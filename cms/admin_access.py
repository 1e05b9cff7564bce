"""The Wagtail admin for members who may not use it.

Wagtail guards its admin views with ``require_admin_access``, which sends both the
anonymous visitor and the logged-in member without the ``wagtailadmin.access_admin``
permission to the login page (WAGTAILADMIN_LOGIN_URL, allauth's here). allauth sends
an authenticated user straight back to ``next``, /admin/, and Wagtail sends them to the
login page again: ERR_TOO_MANY_REDIRECTS. For a logged-in member the login page is the
wrong answer anyway: they are logged in, they lack the right. So every admin view is
wrapped (at the URL patterns, where Wagtail wraps them with its own check): a logged-in
member without access gets a page that says so (403) and leads to Mon espace; anonymous
visitors and the editorial team go on to Wagtail unchanged.
"""

from __future__ import annotations

import functools

from csp.decorators import csp
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"


def may_use_admin(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.has_perm(ADMIN_ACCESS_PERMISSION)
    )


# The page is the public site's, under the admin's prefix: it keeps the public policy
# (cms/csp.py gives the admin policy to every other /admin/ response).
@csp(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
def admin_access_denied(request: HttpRequest) -> HttpResponse:
    response = TemplateResponse(request, "cms/admin_access_denied.html", status=403)
    response.render()
    return response


def _members_see_a_page(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not may_use_admin(user):
            return admin_access_denied(request)
        return view(request, *args, **kwargs)

    wrapped.carrefour_admin_access_page = True
    return wrapped


def with_admin_access_page(urlpatterns: list) -> list:
    """Wrap every view of ``urlpatterns`` (Wagtail's admin, with its included
    patterns), in place, once: the same mechanism as Wagtail's own
    ``decorate_urlpatterns``, which marks nothing and would wrap twice on a reload."""
    for pattern in urlpatterns:
        if hasattr(pattern, "url_patterns"):
            with_admin_access_page(pattern.url_patterns)
        callback = getattr(pattern, "callback", None)
        if callback is not None and not getattr(callback, "carrefour_admin_access_page", False):
            pattern.callback = _members_see_a_page(callback)
    return urlpatterns
