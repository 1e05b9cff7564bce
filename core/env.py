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
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

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
        _postgresql_connections(config)
    return config, False


def _postgresql_connections(config: dict) -> None:
    """A psycopg pool per process (Django 5.2), never persistent connections.

    Under ASGI every request runs its synchronous code in a thread of its own, so
    ``CONN_MAX_AGE`` > 0 keeps one connection open per thread that ever served a
    request, until PostgreSQL's ``max_connections`` is gone (measured: « too many
    clients already » at 20 visitors). Django's documentation: disable persistent
    connections under ASGI and pool instead. A process holds at most
    DATABASE_POOL_MAX connections (a request waits DATABASE_POOL_TIMEOUT seconds for
    one, then gets the French 503 page): web workers × max + the background worker
    must stay under the server's max_connections (docs/deploiement.md).
    """
    options = config.setdefault("OPTIONS", {})
    # Names our connections in pg_stat_activity (the serving test counts them).
    options.setdefault("application_name", os.environ.get("DATABASE_APPLICATION_NAME", "carrefour"))
    # Fail fast when the server is unreachable rather than hang a worker thread.
    options.setdefault("connect_timeout", int_var("DATABASE_CONNECT_TIMEOUT", default=3, minimum=1))
    config["CONN_MAX_AGE"] = 0
    # With the pool, Django hands this to psycopg_pool (``check=check_connection``): a
    # connection broken by a server restart is found and replaced before it is lent.
    config["CONN_HEALTH_CHECKS"] = True
    if bool_var("DATABASE_POOL", default=True):
        options["pool"] = {
            "min_size": int_var("DATABASE_POOL_MIN", default=2, minimum=0),
            "max_size": int_var("DATABASE_POOL_MAX", default=10, minimum=1),
            "timeout": float_var("DATABASE_POOL_TIMEOUT", 5.0, minimum=0.1),
            "max_idle": 300,
        }


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


@dataclass(frozen=True)
class SearchEngineSettings:
    """How to reach Elasticsearch or OpenSearch (ELASTICSEARCH_URL and SEARCH_*).

    ``urls`` carry no credentials: they are in ``username``/``password``."""

    urls: tuple[str, ...]
    engine: str = "auto"  # auto (from the root endpoint), elasticsearch, opensearch
    username: str = ""
    password: str = ""
    api_key: str = ""
    ca_certs: str = ""
    shards: int = 1
    replicas: int = 1
    timeout: float = 10.0


_INDEX_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def search_index_prefix() -> str:
    """SEARCH_INDEX_PREFIX: the start of every index name (several environments on
    one cluster). Engines want lowercase names without spaces, quotes or commas."""
    raw = _raw("SEARCH_INDEX_PREFIX")
    if raw is None:
        return "carrefour"
    value = raw.strip()
    if not _INDEX_PREFIX.match(value):
        raise ConfigurationError(
            f"SEARCH_INDEX_PREFIX est mal formé (reçu « {raw} ») : minuscules, chiffres, "
            "« - » et « _ » seulement, 80 caractères au plus. Exemple : carrefour-recette"
        )
    return value


def search_engine_settings() -> SearchEngineSettings | None:
    """The engine's settings, or None without ELASTICSEARCH_URL (search in the
    database). Every SEARCH_* variable is checked even then: a typo fails at start-up,
    not on the day the engine is switched on."""
    example = "https://carrefour:secret@es1.example.org:9200,https://es2.example.org:9200"
    urls, url_credentials = [], set()
    for item in list_var("ELASTICSEARCH_URL", []):
        _checked_url("ELASTICSEARCH_URL", item, {"http", "https"}, example)
        parts = urlsplit(item)
        if parts.path.strip("/") or parts.query or parts.fragment:
            raise ConfigurationError(
                f"ELASTICSEARCH_URL est mal formée : « {item} » a un chemin ; donnez "
                f"seulement schéma, hôte et port. Exemple : {example}"
            )
        if parts.username or parts.password:
            url_credentials.add((unquote(parts.username or ""), unquote(parts.password or "")))
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        port = f":{parts.port}" if parts.port else ""
        urls.append(f"{parts.scheme}://{host}{port}")
    if len(url_credentials) > 1:
        raise ConfigurationError(
            "ELASTICSEARCH_URL : les adresses portent des identifiants différents ; "
            "donnez-les une fois (SEARCH_USERNAME et SEARCH_PASSWORD)."
        )
    engine = choice_var("SEARCH_ENGINE", "auto", ("auto", "elasticsearch", "opensearch"))
    username = (_raw("SEARCH_USERNAME") or "").strip()
    password = _raw("SEARCH_PASSWORD") or ""
    if bool(username) != bool(password):
        raise ConfigurationError(
            "SEARCH_USERNAME et SEARCH_PASSWORD vont ensemble : définissez les deux ou aucun."
        )
    if url_credentials:
        in_url = url_credentials.pop()
        if username and (username, password) != in_url:
            raise ConfigurationError(
                "ELASTICSEARCH_URL porte un identifiant différent de SEARCH_USERNAME/"
                "SEARCH_PASSWORD : n'en gardez qu'un."
            )
        username, password = in_url
    api_key = (_raw("SEARCH_API_KEY") or "").strip()
    if api_key and username:
        raise ConfigurationError(
            "SEARCH_API_KEY et un identifiant (SEARCH_USERNAME/SEARCH_PASSWORD ou dans "
            "ELASTICSEARCH_URL) s'excluent : choisissez l'un des deux."
        )
    ca_certs = (_raw("SEARCH_CA_CERTS") or "").strip()
    if ca_certs:
        if not os.path.isfile(ca_certs) or not os.access(ca_certs, os.R_OK):
            raise ConfigurationError(
                f"SEARCH_CA_CERTS : fichier introuvable ou illisible « {ca_certs} » "
                "(certificat de l'autorité, au format PEM)."
            )
        if urls and not any(url.startswith("https:") for url in urls):
            raise ConfigurationError(
                "SEARCH_CA_CERTS est défini mais ELASTICSEARCH_URL n'a aucune adresse https."
            )
    shards = int_var("SEARCH_INDEX_SHARDS", default=1, minimum=1, maximum=64)
    replicas = int_var("SEARCH_INDEX_REPLICAS", default=1, minimum=0, maximum=10)
    timeout = float_var("SEARCH_TIMEOUT", default=10.0, minimum=0.5, maximum=120)
    if not urls:
        return None
    return SearchEngineSettings(
        urls=tuple(urls),
        engine=engine,
        username=username,
        password=password,
        api_key=api_key,
        ca_certs=ca_certs,
        shards=shards,
        replicas=replicas,
        timeout=timeout,
    )


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
