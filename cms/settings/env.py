"""Reading the environment: every setting that changes between machines comes from here.

Parsing of URLs is left to django-environ (a well-kept library), of numbers and
JSON to Python; this module only turns their failures into one-line errors that
name the variable at fault. Every typed variable (URL, boolean, integer, number,
list, JSON) is read through a helper of this module — never ``environ.Env().int``
or ``.json``, whose bare ``ValueError`` Django shows as a 29-line traceback.
"""

from __future__ import annotations

import json
import math
import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured


class ConfigurationError(ImproperlyConfigured):
    """A setting read from the environment is missing or wrong.

    `manage.py` and `cms.asgi` print its message on one line and exit, so an
    operator sees what to fix instead of a traceback.
    """


_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
_REDIS_SCHEMES = {"redis", "rediss", "unix"}
_EMAIL_SCHEMES = set(environ.Env.EMAIL_SCHEMES)


def _checked_url(
    name: str, value: str, schemes: set[str], example: str, *, needs_host: bool = True
) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises ValueError on a malformed port
    except ValueError as exc:
        raise ConfigurationError(f"{name} est mal formée ({exc}). Exemple : {example}") from None
    if parts.scheme not in schemes:
        raise ConfigurationError(
            f"{name} est mal formée : schéma « {parts.scheme or '(aucun)'} » inconnu "
            f"(attendus : {', '.join(sorted(schemes))}). Exemple : {example}"
        )
    if needs_host and not parts.hostname:
        raise ConfigurationError(f"{name} est mal formée : hôte manquant. Exemple : {example}")
    return value


def database_config(default_sqlite_path: str) -> tuple[dict, bool]:
    """Return (DATABASES["default"], embedded) — embedded is True for the SQLite default."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return (
            {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": default_sqlite_path,
                "OPTIONS": {
                    # WAL lets readers go on while a writer commits (daphne serves
                    # HTTP and websockets from one process, with threads).
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 20,
                },
            },
            True,
        )
    example = "postgres://user:pass@127.0.0.1:5432/carrefour"
    _checked_url("DATABASE_URL", raw, _DATABASE_SCHEMES, example, needs_host=False)
    if not urlsplit(raw).path.strip("/"):
        raise ConfigurationError(
            f"DATABASE_URL est mal formée : nom de base manquant. Exemple : {example}"
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types
        raise ConfigurationError(f"DATABASE_URL est mal formée ({exc}).") from None
    if config.get("ENGINE", "").endswith("postgresql"):
        config.setdefault("CONN_MAX_AGE", int_var("DATABASE_CONN_MAX_AGE", default=60, minimum=0))
        config["CONN_HEALTH_CHECKS"] = True
    return config, False


def redis_url() -> str | None:
    raw = os.environ.get("REDIS_URL", "").strip()
    if not raw:
        return None
    return _checked_url(
        "REDIS_URL",
        raw,
        _REDIS_SCHEMES,
        "redis://127.0.0.1:6379/0",
        needs_host=not raw.startswith("unix"),
    )


def elasticsearch_url() -> str | None:
    raw = os.environ.get("ELASTICSEARCH_URL", "").strip()
    if not raw:
        return None
    return _checked_url("ELASTICSEARCH_URL", raw, {"http", "https"}, "http://127.0.0.1:9200")


def email_config() -> dict:
    raw = os.environ.get("EMAIL_URL", "").strip()
    if not raw:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    _checked_url(
        "EMAIL_URL",
        raw,
        _EMAIL_SCHEMES,
        "smtp+tls://user:pass@smtp.example.org:587",
        needs_host=raw.startswith("smtp"),
    )
    try:
        config = environ.Env.email_url_config(raw)
    except Exception as exc:
        raise ConfigurationError(f"EMAIL_URL est mal formée ({exc}).") from None
    return config


def bool_var(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non"}:
        return False
    raise ConfigurationError(f"{name} doit valoir true ou false (reçu « {raw} »).")


def list_var(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _raw(name: str) -> str | None:
    """The variable's text, or None when it is unset or blank (the default applies)."""
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw


def int_var(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name} doit être un nombre entier (reçu « {raw} »).") from None
    _check_range(name, value, minimum, maximum)
    return value


def float_var(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name} doit être un nombre (reçu « {raw} »).") from None
    if not math.isfinite(value):
        raise ConfigurationError(f"{name} doit être un nombre fini (reçu « {raw} »).")
    _check_range(name, value, minimum, maximum)
    return value


def _check_range(name: str, value, minimum, maximum) -> None:
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} doit être supérieur ou égal à {minimum} (reçu {value}).")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name} doit être inférieur ou égal à {maximum} (reçu {value}).")


def json_var(name: str, default, *, expected: type = dict):
    """A JSON document of type ``expected`` (an object by default)."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} n'est pas du JSON valide ({exc}).") from None
    if not isinstance(value, expected):
        kind = {dict: "un objet", list: "une liste"}.get(expected, expected.__name__)
        raise ConfigurationError(f"{name} doit être {kind} JSON (reçu « {raw[:80]} »).")
    return value


def choice_var(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip()
    matches = [choice for choice in choices if choice.lower() == value.lower()]
    if not matches:
        raise ConfigurationError(
            f"{name} doit valoir l'un de : {', '.join(choices)} (reçu « {raw} »)."
        )
    return matches[0]
