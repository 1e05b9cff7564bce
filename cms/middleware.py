"""Language selection, French first.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an
English-speaking browser would get the English interface by default. The platform
is French first: French unless the visitor chose another language with the switcher
(stored in the language cookie by django.views.i18n.set_language). This small
middleware does only that; the rest is Django's i18n machinery.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class FrenchFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NotFoundPageMiddleware:
    """Development only (cms.settings.dev): with DEBUG on, Django answers a 404 with its
    technical page (the list of URL patterns), which is not what a person trying the site
    with `make run` should see, and handler404 is ignored. This serves the site's own
    404 page instead; DEBUG stays on for everything else (tracebacks of 500s in the
    browser and the console, template debugging, media files). DEBUG_404=true brings
    Django's technical 404 back for a developer who wants the URL patterns.

    A view raising Http404 is caught in process_exception; an address no URL pattern
    matches (e.g. /favicon.ico: Wagtail's pattern takes paths of words only) fails
    before any view, so it is checked first, letting CommonMiddleware add the slash.
    Other errors keep Django's debug page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.urls import Resolver404, get_resolver

        try:
            get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
        except Resolver404 as exc:
            return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import Http404

        if isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        from django.utils.log import log_response

        from .views import page_not_found

        response = page_not_found(request, exception)
        # The console line Django writes for a 404 (« Not Found: /… »), as before.
        log_response("Not Found: %s", request.path, response=response, request=request)
        return response
