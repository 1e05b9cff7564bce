"""Geocoders: a position for import records that have an address but no coordinates.

Three implementations of the `Geocoder` protocol, chosen by the ``GEOCODER``
setting (see `geocoder_from_settings`):

* `AddressApiGeocoder` asks the national address service (Base Adresse Nationale,
  api-adresse.data.gouv.fr): cached, rate-limited, retried, never raising;
* `CentroidGeocoder` works offline: the centre of the commune (INSEE code) or of
  its département, from a lookup the caller injects;
* `NoGeocoder` finds nothing (tests, or sources whose records must carry coordinates).

`ChainGeocoder` tries several in turn, so that a record the address service cannot
place still gets the centre of its commune.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

PRECISIONS = ("address", "street", "municipality", "centroid")

# api-adresse's result types, as precisions.
_PRECISION_BY_TYPE = {
    "housenumber": "address",
    "street": "street",
    "municipality": "municipality",
    "locality": "municipality",
}

DEFAULT_API_URL = "https://api-adresse.data.gouv.fr"
USER_AGENT = "Carrefour des innovations sociales (import de sources partenaires)"


@dataclass(frozen=True)
class GeocodeResult:
    latitude: float
    longitude: float
    precision: str  # one of PRECISIONS


class Geocoder(Protocol):
    def geocode(
        self, *, address: str, citycode: str = "", postcode: str = ""
    ) -> GeocodeResult | None: ...


class NoGeocoder:
    """Finds nothing."""

    def geocode(
        self, *, address: str, citycode: str = "", postcode: str = ""
    ) -> GeocodeResult | None:
        return None


# --- The national address service ----------------------------------------------------------


class _Response:
    def __init__(self, status_code: int, body: bytes, headers: Any = None):
        self.status_code = status_code
        self.content = body
        self.headers = headers or {}

    def json(self) -> Any:
        return json.loads(self.content.decode("utf-8"))


class _UrllibSession:
    """The little of `requests.Session` we use, on the standard library."""

    def get(self, url: str, *, params: dict, timeout: float) -> _Response:
        full_url = f"{url}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            full_url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return _Response(answer.status, answer.read(), answer.headers)
        except urllib.error.HTTPError as error:
            with error:
                return _Response(error.code, error.read(), error.headers)


class _TokenBucket:
    """At most `rate` acquisitions per second, waiting with the injected `sleep`.

    The bucket holds one token: requests are spaced evenly, without bursts.
    """

    def __init__(self, rate: float, *, sleep: Callable[[float], Any], clock: Callable[[], float]):
        if rate <= 0:
            raise ValueError("rate_per_second must be positive")
        self.rate = rate
        self.capacity = 1.0
        self.tokens = self.capacity
        self.sleep = sleep
        self.clock = clock
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            wait = (1 - self.tokens) / self.rate
            self.sleep(wait)
            # The token that refilled while sleeping is the one taken now.
            self.tokens = 0.0
            self.updated = self.clock()


_MISS = "__geocode_miss__"  # cached for requests the service had no answer for
MISS_TIMEOUT = 30 * 24 * 3600
HIT_TIMEOUT = 90 * 24 * 3600
MAX_QUERY_LENGTH = 200  # the service refuses longer queries
RETRIES = 2
BACKOFF = 0.5  # seconds, doubled at each retry


class _Failed(Exception):
    """The service could not be reached or answered an error (not cached)."""


class AddressApiGeocoder:
    """The French national address service (api-adresse.data.gouv.fr, BAN), used in production.

    ``GET {base_url}/search/?q=...&limit=1`` (with ``citycode`` or ``postcode``
    when known, to keep the answer in the right commune). Answers are cached
    (``cache`` follows Django's cache API): found positions for 90 days, requests
    without an answer for 30. At most ``rate_per_second`` requests are sent (the
    service allows 50 per second and per IP address). Network errors, HTTP 429
    and 5xx answers are retried twice with backoff; after that, or on any other
    error, the record is simply not geocoded (`None`) and a warning is logged.
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_API_URL,
        session=None,
        cache=None,
        rate_per_second: float = 40.0,
        timeout: float = 5.0,
        min_score: float = 0.5,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"GEOCODER_URL must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.session = session if session is not None else _UrllibSession()
        self.cache = cache
        self.timeout = timeout
        self.min_score = min_score
        self.sleep = sleep
        self.bucket = _TokenBucket(rate_per_second, sleep=sleep, clock=clock)

    def geocode(
        self, *, address: str, citycode: str = "", postcode: str = ""
    ) -> GeocodeResult | None:
        params = self._params(address, citycode, postcode)
        if params is None:
            return None
        key = self._cache_key(params)
        cached = self._cache_get(key)
        if cached is None:
            try:
                found = self._search(params)
            except _Failed:
                return None
            cached = found if found is not None else _MISS
            usable = self._result(cached) is not None
            self._cache_set(key, cached, HIT_TIMEOUT if usable else MISS_TIMEOUT)
        return self._result(cached)

    # A cache that fails (Redis down) only costs requests.
    def _cache_get(self, key: str) -> Any:
        if self.cache is None:
            return None
        try:
            return self.cache.get(key)
        except Exception as error:
            logger.warning("Cache de géocodage indisponible : %s", error)
            return None

    def _cache_set(self, key: str, value: Any, timeout: int) -> None:
        if self.cache is None:
            return
        try:
            self.cache.set(key, value, timeout)
        except Exception as error:
            logger.warning("Cache de géocodage indisponible : %s", error)

    @staticmethod
    def _params(address: str, citycode: str, postcode: str) -> dict[str, str] | None:
        query = " ".join((address or "").split())
        if len(query) > MAX_QUERY_LENGTH:
            query = query[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
        # The service needs at least three characters, starting with a letter or digit.
        if len(query) < 3 or not query[0].isalnum():
            return None
        params = {"q": query, "limit": "1"}
        if citycode := (citycode or "").strip():
            params["citycode"] = citycode
        elif postcode := (postcode or "").strip():
            params["postcode"] = postcode
        return params

    def _cache_key(self, params: dict[str, str]) -> str:
        normalised = {name: value.casefold() for name, value in params.items()}
        request = json.dumps([self.base_url, normalised], sort_keys=True, ensure_ascii=False)
        return "geocode:" + hashlib.sha256(request.encode("utf-8")).hexdigest()

    def _result(self, cached: Any) -> GeocodeResult | None:
        if not isinstance(cached, dict) or cached.get("score", 0) < self.min_score:
            return None
        return GeocodeResult(cached["latitude"], cached["longitude"], cached["precision"])

    def _search(self, params: dict[str, str]) -> dict | None:
        """The service's best answer as plain (cacheable) data, `None` if it has none."""
        url = f"{self.base_url}/search/"
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            self.bucket.acquire()
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except Exception as error:
                problem = f"{type(error).__name__}: {error}"
                retry_after = None
            else:
                status = response.status_code
                if status == 200:
                    return self._parse(response, params)
                problem = f"HTTP {status}"
                if status != 429 and status < 500:
                    logger.warning("Géocodage de %r impossible : %s", params["q"], problem)
                    raise _Failed(problem)
                retry_after = _retry_after(response)
            if last:
                break
            delay = BACKOFF * 2**attempt
            self.sleep(max(delay, retry_after or 0))
        logger.warning(
            "Géocodage de %r impossible après %d essais : %s", params["q"], RETRIES + 1, problem
        )
        raise _Failed(problem)

    @staticmethod
    def _parse(response, params: dict[str, str]) -> dict | None:
        try:
            features = response.json().get("features") or []
            if not features:
                return None
            feature = features[0]
            longitude, latitude = feature["geometry"]["coordinates"][:2]
            properties = feature.get("properties") or {}
            return {
                "latitude": float(latitude),
                "longitude": float(longitude),
                "precision": _PRECISION_BY_TYPE.get(properties.get("type"), "municipality"),
                "score": float(properties.get("score") or 0),
            }
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
            logger.warning("Réponse de géocodage illisible pour %r : %s", params["q"], error)
            raise _Failed(str(error)) from error


def _retry_after(response) -> float | None:
    """The Retry-After header in seconds (capped at a minute), if any."""
    try:
        value = response.headers.get("Retry-After")
        return min(float(value), 60.0) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


# --- Offline -------------------------------------------------------------------------------


class CentroidGeocoder:
    """Offline fallback: the centre of the commune (if known) or of its département."""

    def __init__(self, *, lookup: Callable[[str], tuple[float, float, str] | None]):
        self.lookup = lookup

    def geocode(
        self, *, address: str = "", citycode: str = "", postcode: str = ""
    ) -> GeocodeResult | None:
        citycode = (citycode or "").strip()
        if not citycode:
            return None
        found = self.lookup(citycode)
        if found is None:
            return None
        latitude, longitude, precision = found
        return GeocodeResult(latitude, longitude, precision)


class ChainGeocoder:
    """Tries several geocoders in order; the first result wins."""

    def __init__(self, geocoders: Iterable[Geocoder]):
        self.geocoders = list(geocoders)

    def geocode(
        self, *, address: str, citycode: str = "", postcode: str = ""
    ) -> GeocodeResult | None:
        for geocoder in self.geocoders:
            result = geocoder.geocode(address=address, citycode=citycode, postcode=postcode)
            if result is not None:
                return result
        return None


def geocoder_from_settings(
    *, centroid_lookup: Callable[[str], tuple[float, float, str] | None]
) -> Geocoder:
    """The geocoder the settings ask for.

    ``settings.GEOCODER``: ``"api-adresse"`` (the address service, then the
    centroid), ``"centroid"`` (the default: offline) or ``"none"``;
    ``settings.GEOCODER_URL``: the address service's URL.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    kind = getattr(settings, "GEOCODER", "centroid") or "centroid"
    if kind == "none":
        return NoGeocoder()
    centroid = CentroidGeocoder(lookup=centroid_lookup)
    if kind == "centroid":
        return centroid
    if kind == "api-adresse":
        from django.core.cache import cache

        api = AddressApiGeocoder(
            base_url=getattr(settings, "GEOCODER_URL", DEFAULT_API_URL) or DEFAULT_API_URL,
            cache=cache,
        )
        return ChainGeocoder([api, centroid])
    raise ImproperlyConfigured(
        f"GEOCODER must be 'api-adresse', 'centroid' or 'none', not {kind!r}"
    )
