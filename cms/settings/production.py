"""Production: PostgreSQL, Redis, Elasticsearch and SMTP, each from its environment variable.

Refuses to start on an insecure configuration, with one line saying what to fix.
"""

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)

from core.env import ConfigurationError, int_var

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    DEBUG,
    INSECURE_DEFAULT_SECRET_KEY,
    SECRET_KEY,
    bool_var,
)


def _check_secret_key(key: str) -> None:
    """Django's own rule (``check --deploy``, security.W009), with its constants —
    except that Django accepts a key of exactly SECRET_KEY_MIN_UNIQUE_CHARACTERS (5)
    distinct characters (``len(set(key)) >= 5``): ``abcde`` repeated ten times passes
    its check. Here a key needs *more* than that; a random 50-character key (Django's
    ``get_random_secret_key``) has about 32."""
    if not key or key == INSECURE_DEFAULT_SECRET_KEY:
        raise ConfigurationError(
            f"SECRET_KEY manquante : définissez une clé secrète aléatoire d'au moins "
            f"{SECRET_KEY_MIN_LENGTH} caractères."
        )
    if (
        key.startswith(SECRET_KEY_INSECURE_PREFIX)
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) <= SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        raise ConfigurationError(
            f"SECRET_KEY trop faible : au moins {SECRET_KEY_MIN_LENGTH} caractères aléatoires "
            f"(plus de {SECRET_KEY_MIN_UNIQUE_CHARACTERS} différents), sans le préfixe "
            f"« {SECRET_KEY_INSECURE_PREFIX} »."
        )


_check_secret_key(SECRET_KEY)
if DEBUG:
    raise ConfigurationError("DEBUG est activé : mettez DEBUG=false en production.")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ConfigurationError(
        "ALLOWED_HOSTS est vide ou contient « * » : listez les noms de domaine servis "
        "(ex. ALLOWED_HOSTS=carrefour.example.org)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = bool_var("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int_var("SECURE_HSTS_SECONDS", default=63072000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = bool_var("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Health checks from the load balancer arrive over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
