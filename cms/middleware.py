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
