"""The embedded default: what `make run` uses on a fresh machine."""

from .base import *  # noqa: F403
from .base import VAR_DIR, bool_var

DEBUG = bool_var("DEBUG", default=True)
# Served from the source folders in development (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
VAR_DIR.mkdir(parents=True, exist_ok=True)
