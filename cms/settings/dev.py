"""The embedded default: what `make run` uses on a fresh machine."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, VAR_DIR, bool_var

DEBUG = bool_var("DEBUG", default=True)
# DEBUG stays on for `make run` (tracebacks in the browser and the console, media files
# served, template debugging) but a missing page shows the site's own 404 page, as in
# production, instead of Django's list of URL patterns: with DEBUG on, Django ignores
# handler404, hence a small middleware (cms/middleware.py). It sits after
# CommonMiddleware, so /a-propos still redirects to /a-propos/, and after Wagtail's
# redirects middleware, which turns editors' redirects' 404s into redirects.
# DEBUG_404=true gives Django's technical 404 page back.
if DEBUG and not bool_var("DEBUG_404", default=False):
    MIDDLEWARE = [*MIDDLEWARE, "cms.middleware.NotFoundPageMiddleware"]
# Served from the source folders in development (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
VAR_DIR.mkdir(parents=True, exist_ok=True)
