"""Settings shared by every environment. Anything that differs between machines is
read from the environment (see `env.py` and the README's configuration table)."""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from core.env import (
    bool_var,
    choice_var,
    database_config,
    email_config,
    float_var,
    int_var,
    json_var,
    list_var,
    redis_url,
    search_engine_settings,
    search_index_prefix,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CARREFOUR_VAR_DIR", BASE_DIR / "var"))

DEBUG = bool_var("DEBUG", default=False)
# Development default only: production.py refuses to start with it.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-carrefour-dev-only-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "") or INSECURE_DEFAULT_SECRET_KEY
ALLOWED_HOSTS = list_var("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = list_var("CSRF_TRUSTED_ORIGINS", [])

# --- applications ----------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",  # runserver and the ASGI server speak websockets
    "cms",
    "accounts",
    "innovations",
    "communities",
    "curation",
    "notifications",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",  # widget templates for our TemplatesSetting renderer
    "ninja",  # its Swagger UI assets, served locally
    "wagtail.contrib.search_promotions",
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "django_prometheus",
]
# Optional social login, e.g. SOCIALACCOUNT_PROVIDER_APPS="allauth.socialaccount.providers.github"
# with its keys in SOCIALACCOUNT_PROVIDERS (JSON). None is required.
INSTALLED_APPS += list_var("SOCIALACCOUNT_PROVIDER_APPS", [])

MIDDLEWARE = [
    # Request counts and latencies for /metrics (django-prometheus), first and last.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "cms.request_log.RequestLogMiddleware",  # one JSON line per request, with its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.csp.CarrefourCSPMiddleware",  # Content-Security-Policy (django-csp), see below
    # Anonymous pages from the shared cache, invalidated by content changes; a hit
    # skips everything below (core/page_cache.py).
    "core.page_cache.AnonymousPageCacheMiddleware",
    # PostgreSQL down: the French 503 at once, not after the pool's timeout
    # (cms/outage.py); cached pages above are still served.
    "cms.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "cms.urls"
ASGI_APPLICATION = "cms.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_shell",
                "notifications.context_processors.notification_centre",
                "communities.context_processors.chat_unread",
            ],
        },
    },
]

# --- data ------------------------------------------------------------------------
_default_db, EMBEDDED_DATABASE = database_config(str(VAR_DIR / "carrefour.sqlite3"))
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_url()
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, missing instead of failing when Redis stops.
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "carrefour"),
            # Redis stopped: a cache call fails within half a second and the page is
            # rendered without it (core/page_cache.py), never a hung worker thread.
            "OPTIONS": {
                "socket_connect_timeout": float_var("REDIS_TIMEOUT", 0.5, minimum=0.05),
                "socket_timeout": float_var("REDIS_TIMEOUT", 0.5, minimum=0.05),
            },
        }
    }
    # The channel layer is only the chat's doorbell (communities/realtime/doorbell.py).
    # « pubsub » (default): RedisPubSubChannelLayer, one Redis subscription per group
    # and server process, fanned out in the process; « groups »: channels-redis's
    # group membership per connection (one Redis push per reader and message).
    # benchmarks/realtime.py measures both; docs/realtime.md gives the figures.
    CHANNEL_LAYER_KIND = choice_var(
        "CARREFOUR_CHANNEL_LAYER", choices=("pubsub", "groups"), default="pubsub"
    )
    if CHANNEL_LAYER_KIND == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    "prefix": os.environ.get("CHANNELS_PREFIX", "carrefour"),
                },
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    "prefix": os.environ.get("CHANNELS_PREFIX", "carrefour"),
                    "capacity": 1000,
                    "expiry": 30,
                },
            }
        }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Anonymous pages and costly fragments (facet counts, key figures, map data) kept in
# the cache this long at most, and invalidated at once by content changes
# (core/page_cache.py). On by default with Redis only: the embedded default's
# in-memory cache is per process, and its background worker (another process)
# could not invalidate the web process's copy.
CARREFOUR_PAGE_CACHE_SECONDS = int_var(
    "CARREFOUR_PAGE_CACHE_SECONDS", default=300 if REDIS_URL else 0, minimum=0
)
PAGE_CACHE_EXCLUDED_PATHS = (
    "/admin/",
    "/compte/",
    "/documents/",
    "/notifications/",
    "/i18n/",
    "/healthz",
    "/metrics",
)

# Official communes (npm package @etalab/decoupage-administratif, installed by make run).
TERRITORIES_COMMUNES_FILE = os.environ.get(
    "TERRITORIES_COMMUNES_FILE",
    str(BASE_DIR / "node_modules/@etalab/decoupage-administratif/data/communes.json"),
)

# The search engine (Elasticsearch 8/9 or OpenSearch 2/3): URL list, credentials, CA,
# shards and replicas (README « Moteur de recherche »). None: search in the database.
SEARCH_ENGINE_SETTINGS = search_engine_settings()
# The first address, for code that only asks whether an engine is configured.
ELASTICSEARCH_URL = SEARCH_ENGINE_SETTINGS.urls[0] if SEARCH_ENGINE_SETTINGS else None
# Prefix of every index name, so environments can share one cluster (cfgov's habit).
SEARCH_INDEX_PREFIX = search_index_prefix()

# --- accounts --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Carrefour] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# allauth's rate limits stay on (its defaults), named here so they are visible.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
SOCIALACCOUNT_PROVIDERS = json_var("SOCIALACCOUNT_PROVIDERS", default={})
SOCIALACCOUNT_ONLY = False

# Avatars: validated, limited and re-encoded (accounts.services.avatar_set).
AVATAR_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_SIZE = 512

# --- e-mail ----------------------------------------------------------------------
vars().update(email_config())
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Carrefour <ne-pas-repondre@carrefour.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the contact form and editorial notifications go.
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "contact@carrefour.local")

# --- i18n ------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]

# --- static and media ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end libraries installed by npm (package.json), served by the site itself.
_NPM_ASSETS = {
    "vendor/leaflet": "leaflet/dist",
    "vendor/markercluster": "leaflet.markercluster/dist",
    "vendor/accessible-autocomplete": "accessible-autocomplete/dist",
    "vendor/chartjs": "chart.js/dist",
}
STATICFILES_DIRS += [
    (prefix, BASE_DIR / "node_modules" / path)
    for prefix, path in _NPM_ASSETS.items()
    if (BASE_DIR / "node_modules" / path).is_dir()
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail ---------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Carrefour des innovations sociales"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_URL = WAGTAILADMIN_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents teams attach to their replication sheet (core/documents.py checks them).
CARREFOUR_DOCUMENT_MAX_BYTES = (
    int_var("CARREFOUR_DOCUMENT_MAX_MB", default=10, minimum=1) * 1024 * 1024
)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # passwords are managed by allauth
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAILADMIN_NOTIFICATION_USE_HTML = True
WAGTAIL_WORKFLOW_ENABLED = True
# Not WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT: with it, a moderator approving from
# the admin edit screen (which saves a revision first) restarts the review forever.
# An innovator's edit during moderation restarts the review in
# innovations.services.projects.project_update instead.

# Whether any member may propose a community (editors approve it, communities/services).
CARREFOUR_COMMUNITY_PROPOSALS = bool_var("CARREFOUR_COMMUNITY_PROPOSALS", default=True)
# Invitations one inviter may send per community in 24 hours (communities/rules).
CARREFOUR_COMMUNITY_INVITATIONS_PER_DAY = int_var(
    "CARREFOUR_COMMUNITY_INVITATIONS_PER_DAY", default=50, minimum=1
)
# « S'en inspirer » requests one member may send in 24 hours (issue 16: each one
# notifies and e-mails a project's whole team).
CARREFOUR_INSPIRATIONS_PER_DAY = int_var("CARREFOUR_INSPIRATIONS_PER_DAY", default=5, minimum=1)
# Channels (issue 13): messages one person may send per window (every process counts
# together through the cache: Redis in production), reports that hide a message
# until a moderator decides, presence frames on subscribe and leave.
CARREFOUR_CHAT_RATE_LIMIT = (
    int_var("CARREFOUR_CHAT_RATE_COUNT", default=30, minimum=0),
    int_var("CARREFOUR_CHAT_RATE_SECONDS", default=30, minimum=1),
)
CARREFOUR_CHAT_REPORTS_TO_HIDE = int_var("CARREFOUR_CHAT_REPORTS_TO_HIDE", default=3, minimum=1)
CARREFOUR_CHAT_PRESENCE = bool_var("CARREFOUR_CHAT_PRESENCE", default=True)
# How often each server process checks that no ring was lost (communities/realtime/
# watch.py): a lost one is healed within two intervals.
CARREFOUR_CHAT_WATCH_SECONDS = int_var("CARREFOUR_CHAT_WATCH_SECONDS", default=2, minimum=1)
# Names this server in the websocket's « hello » frame (by default host:pid: the
# benchmark checks that clients are spread over the worker processes).
CARREFOUR_SERVER_NAME = os.environ.get("CARREFOUR_SERVER_NAME", "")

# --- background tasks -------------------------------------------------------------
# Wagtail's own small tasks run immediately; background jobs (jobs/: imports,
# re-indexing, alerts, digests) go through the database queue « background » and
# the worker (`manage.py carrefour_worker`, started by make run, make serve, make worker).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"},
}

# --- geocoding (partner imports) ---------------------------------------------------
# "api-adresse" (national address service, production), "centroid" (offline: the
# commune or département centre) or "none".
GEOCODER = os.environ.get("GEOCODER", "centroid")
GEOCODER_URL = os.environ.get("GEOCODER_URL", "https://api-adresse.data.gouv.fr")
# Share (0–1) of a source's projects an import may unpublish, re-identify or fold
# without an editor's confirmation (innovations/importing/plan.py).
IMPORT_UNPUBLISH_MAX_SHARE = float_var("IMPORT_UNPUBLISH_MAX_SHARE", 0.2, minimum=0, maximum=1)

# --- content security policy (django-csp, cms/csp.py) ---------------------------
# Public pages: scripts and styles from our own files only — no inline <script>, no
# eval, no style= or on…= attributes (JSON goes in <script type="application/json">
# through json_script). Leaflet positions tiles through the CSSOM, which style-src
# does not govern. Map tiles come from OpenStreetMap; video blocks embed an iframe
# from the video's host (YouTube, Vimeo, any PeerTube instance…), hence https: frames.
_SOCIAL_LOGIN = any(app.startswith("allauth.socialaccount.providers.") for app in INSTALLED_APPS)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https://tile.openstreetmap.org"],
        "frame-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # A social login form posts to us, then redirects to the provider, which
        # form-action also governs: allowed only when a provider is installed.
        "form-action": ["'self'", "https:"] if _SOCIAL_LOGIN else ["'self'"],
    }
}
# The Wagtail admin (/admin/) gets the strictest policy Wagtail 8 works with, found
# by loading its pages in Chromium and listening for violations (tests/e2e); as the
# public one, except:
# - script-src 'unsafe-inline': Wagtail writes inline <script> in listings, editors
#   (inline panels: a project's places, links…; date widgets), reports and search
#   promotions, with per-page content (no fixed hash), without nonce, and its jQuery
#   runs the scripts of the HTML its modals fetch. Still no 'unsafe-eval'.
# - style-src 'unsafe-inline': style= attributes and <style> added by its scripts.
# - img-src data: blob: (previews of images being uploaded), no map tiles;
# - connect-src releases.wagtail.org: the new version notice for administrators;
# - frame-ancestors 'self': the preview panel frames previews (cms/csp.py gives
#   previews the public policy with frame-ancestors 'self').
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'", "https://releases.wagtail.org"],
        "frame-ancestors": ["'self'"],
    }
}
# No Gravatar in the admin: it would send each editor's e-mail hash to a third party
# and need that host in img-src; Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- health ----------------------------------------------------------------------
# Services whose failure turns /healthz into a 503.
HEALTHZ_REQUIRED = list_var("HEALTHZ_REQUIRED", ["database", "cache", "channel_layer", "search"])
# Anonymous callers get the status only; the details (which backend, how long)
# go to editors (wagtailadmin.access_admin) and to a probe sending
# « Authorization: Bearer <HEALTHZ_TOKEN> » (cms/health.py). Empty: no token.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "").strip()
# /metrics (Prometheus): for a scraper sending « Authorization: Bearer <METRICS_TOKEN> »
# or a signed-in administrator; 404 for everyone else. Empty: administrators only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()

# --- client address behind proxies (core/client_ip.py) ------------------------------
# How many reverse proxies stand in front of the application, each extending
# X-Forwarded-For; 0 (default): the header is ignored and REMOTE_ADDR is the client.
# Rate limits (API, contact reveal) count per client address.
TRUSTED_PROXY_COUNT = int_var("TRUSTED_PROXY_COUNT", default=0, minimum=0, maximum=10)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT  # django-ninja's own reading of the header agrees

# --- logging ---------------------------------------------------------------------
LOG_LEVEL = choice_var("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # The request line is already JSON: written as it is, one per line.
        "bare": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "bare"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "carrefour.requests": {
            "handlers": ["requests"],
            "level": "INFO" if bool_var("REQUEST_LOG", default=True) else "WARNING",
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
        # The search engine's clients log every request at INFO.
        "opensearch": {"level": "WARNING"},
        "elastic_transport": {"level": "WARNING"},
    },
}
