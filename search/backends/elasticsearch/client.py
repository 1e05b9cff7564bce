"""One small adapter over the two official clients.

Elastic's `elasticsearch` 8 client refuses OpenSearch servers (product check) and
`opensearch-py` is the one OpenSearch maintains, so each engine gets its own
client; everything above this module (index lifecycle, bulk writes, queries) goes
through `EngineClient`, with request bodies built by `elasticsearch.dsl`
(``to_dict()``), and sees one set of exceptions:

- BackendUnavailable: the engine cannot answer now (connection refused or reset,
  timeout, 5xx, 429, refused credentials) — callers fall back, writes stay queued;
- EngineNotFound (404): an index or alias that does not exist — a state, not an outage;
- EngineRequestError (other 4xx): the request itself is wrong (mapping, parse).

Both clients get every URL of ELASTICSEARCH_URL: a request that fails on one node
(connection error, timeout, 502/503/504, 429) is retried on the next.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from core.env import SearchEngineSettings

from ..base import BackendUnavailable

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 502, 503, 504)


class EngineError(RuntimeError):
    """The engine answered with an error that is not an outage."""

    def __init__(self, message: str, *, status: int | None = None, error_type: str = ""):
        super().__init__(message)
        self.status = status
        self.error_type = error_type


class EngineNotFound(EngineError):
    """404: no such index, alias or document."""


class EngineRequestError(EngineError):
    """4xx other than 404: the request was refused as written."""


def is_retryable(status: int | None) -> bool:
    """Statuses worth another try later: overloaded (429) or failing (5xx)."""
    return status is not None and (status == 429 or status >= 500)


@dataclass(frozen=True)
class _Errors:
    """The exception classes of one client library."""

    connection: tuple[type[Exception], ...]
    api: tuple[type[Exception], ...]


def _status_of(exc: Exception) -> int | None:
    # elasticsearch 8: ApiError.meta.status; opensearch-py: TransportError.status_code
    # (the string "N/A" for connection errors).
    meta = getattr(exc, "meta", None)
    status = getattr(meta, "status", None) if meta is not None else None
    if status is None:
        status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _error_type(exc: Exception) -> str:
    info = getattr(exc, "info", None) or getattr(exc, "body", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("type", ""))
        if isinstance(error, str):
            return error
    return str(getattr(exc, "error", "") or "")


class EngineClient(ABC):
    """search, count, get, bulk, scan and index operations on either engine: what
    the two official clients spell alike lives here, the rest in the subclasses."""

    distribution: str = ""
    # Alias lookups read the answering node's copy of the cluster state: they go on
    # while a new cluster manager is elected (a node down) instead of waiting.
    _local: dict = {}

    def __init__(self, client, errors: _Errors):
        self._client = client
        self._errors = errors

    # --- errors ---------------------------------------------------------------------
    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except self._errors.connection as exc:
            raise BackendUnavailable(f"{self.distribution} : {exc}") from exc
        except self._errors.api as exc:
            raise self.translate(exc) from exc

    def translate(self, exc: Exception) -> Exception:
        status = _status_of(exc)
        error_type = _error_type(exc)
        message = f"{self.distribution} {status} {error_type}: {exc}"[:2000]
        if status is None or is_retryable(status) or status in (401, 403):
            # Refused credentials: the engine is unusable until an operator fixes
            # them; pages fall back and writes wait, as in an outage.
            return BackendUnavailable(message)
        if status == 404:
            return EngineNotFound(message, status=status, error_type=error_type)
        return EngineRequestError(message, status=status, error_type=error_type)

    # --- documents ------------------------------------------------------------------
    def info(self) -> dict:
        return dict(self._call(self._client.info))

    @abstractmethod
    def search(self, *, index: str, body: dict, **params) -> dict: ...

    def count(self, *, index: str, body: dict | None = None) -> int:
        return int(self._call(self._client.count, index=index, body=body)["count"])

    def get_source(self, *, index: str, id: str) -> dict:
        return dict(self._call(self._client.get, index=index, id=id)["_source"])

    @abstractmethod
    def bulk(self, operations: list[dict]) -> dict: ...

    def scan(self, *, index: str, query: dict, source: list[str]) -> Iterator[dict]:
        try:
            yield from self._helpers().scan(
                self._client, index=index, query={**query, "_source": source}, size=1000
            )
        except self._errors.connection as exc:
            raise BackendUnavailable(f"{self.distribution} : {exc}") from exc
        except self._errors.api as exc:
            raise self.translate(exc) from exc

    @abstractmethod
    def _helpers(self):
        """The client's own ``helpers`` module (scan)."""

    # --- indices --------------------------------------------------------------------
    @abstractmethod
    def create_index(self, *, name: str, body: dict) -> None: ...

    def delete_index(self, name: str) -> None:
        self._call(self._client.indices.delete, index=name, ignore_unavailable=True)

    def refresh(self, index: str) -> None:
        self._call(self._client.indices.refresh, index=index)

    def aliases(self, pattern: str) -> dict[str, list[str]]:
        """Indices matching ``pattern`` → the aliases each carries ({} when none)."""
        try:
            found = self._call(self._client.indices.get_alias, index=pattern, **self._local)
        except EngineNotFound:
            return {}
        return {name: sorted(data.get("aliases", {})) for name, data in dict(found).items()}

    @abstractmethod
    def update_aliases(self, actions: list[dict]) -> None: ...

    @abstractmethod
    def analyze(self, *, index: str, analyzer: str, text: str) -> list[str]: ...


class OpenSearchClient(EngineClient):
    distribution = "opensearch"
    _local = {"local": True}

    def search(self, *, index: str, body: dict, **params) -> dict:
        return self._call(self._client.search, index=index, body=body, params=params or None)

    def bulk(self, operations: list[dict]) -> dict:
        return self._call(self._client.bulk, body=operations)

    def _helpers(self):
        from opensearchpy import helpers

        return helpers

    def create_index(self, *, name: str, body: dict) -> None:
        self._call(self._client.indices.create, index=name, body=body)

    def update_aliases(self, actions: list[dict]) -> None:
        self._call(self._client.indices.update_aliases, body={"actions": actions})

    def analyze(self, *, index: str, analyzer: str, text: str) -> list[str]:
        body = {"analyzer": analyzer, "text": text}
        tokens = self._call(self._client.indices.analyze, index=index, body=body)["tokens"]
        return [token["token"] for token in tokens]


class ElasticClient(EngineClient):
    distribution = "elasticsearch"

    def search(self, *, index: str, body: dict, **params) -> dict:
        return self._call(self._client.search, index=index, body=body, **params).body

    def bulk(self, operations: list[dict]) -> dict:
        return self._call(self._client.bulk, operations=operations).body

    def _helpers(self):
        from elasticsearch import helpers

        return helpers

    def create_index(self, *, name: str, body: dict) -> None:
        self._call(
            self._client.indices.create,
            index=name,
            settings=body.get("settings"),
            mappings=body.get("mappings"),
            aliases=body.get("aliases"),
        )

    def update_aliases(self, actions: list[dict]) -> None:
        self._call(self._client.indices.update_aliases, actions=actions)

    def analyze(self, *, index: str, analyzer: str, text: str) -> list[str]:
        tokens = self._call(
            self._client.indices.analyze, index=index, analyzer=analyzer, text=text
        )["tokens"]
        return [token["token"] for token in tokens]


def _opensearch(config: SearchEngineSettings) -> OpenSearchClient:
    import opensearchpy

    options: dict = {
        "timeout": config.timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": RETRY_STATUSES,
    }
    if config.username:
        options["http_auth"] = (config.username, config.password)
    if config.api_key:
        options["headers"] = {"Authorization": f"ApiKey {config.api_key}"}
    if config.ca_certs:
        options.update(verify_certs=True, ca_certs=config.ca_certs)
    client = opensearchpy.OpenSearch(list(config.urls), **options)
    errors = _Errors(
        connection=(opensearchpy.ConnectionError,),  # timeouts and SSL errors included
        api=(opensearchpy.TransportError,),
    )
    return OpenSearchClient(client, errors)


def _elastic(config: SearchEngineSettings) -> ElasticClient:
    import elastic_transport
    import elasticsearch

    options: dict = {
        "request_timeout": config.timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": RETRY_STATUSES,
    }
    if config.username:
        options["basic_auth"] = (config.username, config.password)
    if config.api_key:
        options["api_key"] = config.api_key
    if config.ca_certs:
        options["ca_certs"] = config.ca_certs
    client = elasticsearch.Elasticsearch(list(config.urls), **options)
    errors = _Errors(
        connection=(elastic_transport.TransportError,),  # connection, timeout, TLS
        api=(elasticsearch.ApiError,),
    )
    return ElasticClient(client, errors)


class LazyEngineClient:
    """The client of the engine that answers at ELASTICSEARCH_URL, chosen on first
    use (SEARCH_ENGINE=auto) from the root endpoint's ``version.distribution``, or
    fixed by SEARCH_ENGINE. An engine down at start-up is detected later: nothing
    is cached until it answers."""

    def __init__(self, config: SearchEngineSettings):
        self.config = config
        self._client: EngineClient | None = None

    @cached_property
    def _probe(self) -> OpenSearchClient:
        # opensearch-py has no product check: it reads either engine's root endpoint.
        return _opensearch(self.config)

    def detect(self) -> str:
        if self.config.engine != "auto":
            return self.config.engine
        version = self._probe.info().get("version", {})
        return "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"

    @property
    def client(self) -> EngineClient:
        if self._client is None:
            engine = self.detect()
            self._client = self._probe if engine == "opensearch" else _elastic(self.config)
            logger.info("Search engine: %s at %s", engine, ", ".join(self.config.urls))
        return self._client

    def __getattr__(self, name):
        return getattr(self.client, name)
