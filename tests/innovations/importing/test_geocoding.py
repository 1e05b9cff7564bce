"""Geocoders. The address service is played by a local HTTP server: no network."""

from __future__ import annotations

import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from innovations.importing.geocoding import (
    AddressApiGeocoder,
    CentroidGeocoder,
    ChainGeocoder,
    GeocodeResult,
    NoGeocoder,
    geocoder_from_settings,
)

# --- A stand-in for api-adresse.data.gouv.fr -------------------------------------------------


class FakeAddressApi:
    """Answers /search/ like the national address service; told what to answer."""

    def __init__(self):
        self.requests: list[dict[str, str]] = []
        self.status = 200  # e.g. 500 to fail
        self.fail_times: int | None = None  # fail only for the first N requests
        self.score = 0.92
        self.type = "housenumber"
        self.empty = False
        self.coordinates = [4.835, 45.758]  # lon, lat (Lyon, place Bellecour)
        self.lock = threading.Lock()

    def answer(self, path: str) -> tuple[int, dict]:
        parts = urllib.parse.urlsplit(path)
        params = dict(urllib.parse.parse_qsl(parts.query))
        with self.lock:
            self.requests.append({"path": parts.path, **params})
            count = len(self.requests)
        if parts.path != "/search/":
            return 404, {"code": 404, "message": "not found"}
        failing = self.status != 200 and (self.fail_times is None or count <= self.fail_times)
        if failing:
            return self.status, {"code": self.status, "message": "erreur"}
        features = []
        if not self.empty:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": self.coordinates},
                    "properties": {
                        "label": params.get("q", ""),
                        "score": self.score,
                        "type": self.type,
                        "citycode": params.get("citycode", "69382"),
                    },
                }
            )
        return 200, {"type": "FeatureCollection", "query": params.get("q"), "features": features}


@pytest.fixture
def api():
    fake = FakeAddressApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = fake.answer(self.path)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class FakeCache:
    """Django's cache API, in a dict; remembers the timeouts."""

    def __init__(self):
        self.data: dict = {}
        self.timeouts: dict = {}

    def get(self, key, default=None):
        return self.data.get(key, default)

    def set(self, key, value, timeout=None):
        self.data[key] = value
        self.timeouts[key] = timeout


class FakeTime:
    """A clock that only moves when slept on."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


def make_geocoder(api, fake_time, **kwargs) -> AddressApiGeocoder:
    kwargs.setdefault("rate_per_second", 1000.0)
    return AddressApiGeocoder(
        base_url=api.url, sleep=fake_time.sleep, clock=fake_time.clock, timeout=2.0, **kwargs
    )


# --- AddressApiGeocoder --------------------------------------------------------------------


def test_parses_lon_lat_order_and_precision(api, fake_time):
    geocoder = make_geocoder(api, fake_time)

    result = geocoder.geocode(address="1 place Bellecour, Lyon")

    assert result == GeocodeResult(latitude=45.758, longitude=4.835, precision="address")
    assert api.requests == [{"path": "/search/", "q": "1 place Bellecour, Lyon", "limit": "1"}]


@pytest.mark.parametrize(
    ("api_type", "precision"),
    [
        ("housenumber", "address"),
        ("street", "street"),
        ("municipality", "municipality"),
        ("locality", "municipality"),
    ],
)
def test_precision_mapping(api, fake_time, api_type, precision):
    api.type = api_type
    result = make_geocoder(api, fake_time).geocode(address="rue de la République, Lyon")
    assert result.precision == precision


def test_citycode_is_passed_through(api, fake_time):
    make_geocoder(api, fake_time).geocode(
        address="12 rue Mercière", citycode="69382", postcode="69002"
    )
    assert api.requests[0]["citycode"] == "69382"
    assert "postcode" not in api.requests[0]


def test_postcode_when_no_citycode(api, fake_time):
    make_geocoder(api, fake_time).geocode(address="12 rue Mercière", postcode="69002")
    assert api.requests[0]["postcode"] == "69002"
    assert "citycode" not in api.requests[0]


def test_whitespace_is_normalised_and_short_queries_are_not_sent(api, fake_time):
    geocoder = make_geocoder(api, fake_time)
    geocoder.geocode(address="  12   rue\nMercière  ")
    assert api.requests[0]["q"] == "12 rue Mercière"

    assert geocoder.geocode(address="") is None
    assert geocoder.geocode(address=" a ") is None
    assert len(api.requests) == 1


def test_cache_hit_does_not_call_the_server(api, fake_time):
    cache = FakeCache()
    geocoder = make_geocoder(api, fake_time, cache=cache)

    first = geocoder.geocode(address="1 place Bellecour", citycode="69382")
    second = geocoder.geocode(address="1  PLACE bellecour ", citycode="69382")

    assert first == second == GeocodeResult(45.758, 4.835, "address")
    assert len(api.requests) == 1
    [key] = cache.data
    assert key.startswith("geocode:")
    assert len(key) == len("geocode:") + 64  # sha256 hex
    assert cache.timeouts[key] == 90 * 24 * 3600


def test_cache_distinguishes_citycodes(api, fake_time):
    geocoder = make_geocoder(api, fake_time, cache=FakeCache())
    geocoder.geocode(address="place de la Mairie", citycode="69382")
    geocoder.geocode(address="place de la Mairie", citycode="01001")
    assert len(api.requests) == 2


def test_misses_are_cached_too(api, fake_time):
    api.empty = True
    cache = FakeCache()
    geocoder = make_geocoder(api, fake_time, cache=cache)

    assert geocoder.geocode(address="lieu introuvable") is None
    assert geocoder.geocode(address="lieu introuvable") is None

    assert len(api.requests) == 1
    [key] = cache.data
    assert cache.data[key] is not None  # a sentinel, not "not cached"
    assert cache.timeouts[key] == 30 * 24 * 3600


def test_low_score_is_none_and_cached_as_a_miss(api, fake_time):
    api.score = 0.3
    cache = FakeCache()
    geocoder = make_geocoder(api, fake_time, cache=cache)

    assert geocoder.geocode(address="rue imprécise") is None
    assert geocoder.geocode(address="rue imprécise") is None

    assert len(api.requests) == 1
    assert list(cache.timeouts.values()) == [30 * 24 * 3600]


def test_min_score_is_configurable(api, fake_time):
    api.score = 0.3
    result = make_geocoder(api, fake_time, min_score=0.2).geocode(address="rue imprécise")
    assert result is not None


def test_rate_limit(api, fake_time):
    geocoder = make_geocoder(api, fake_time, rate_per_second=10)

    for number in range(100):
        assert geocoder.geocode(address=f"{number} rue de la Paix") is not None

    assert len(api.requests) == 100
    assert sum(fake_time.sleeps) == pytest.approx(9.9)
    assert all(seconds <= 0.1 + 1e-9 for seconds in fake_time.sleeps)


def test_rate_limit_does_not_wait_when_requests_are_spaced(api, fake_time):
    geocoder = make_geocoder(api, fake_time, rate_per_second=10)
    for number in range(5):
        geocoder.geocode(address=f"{number} rue de la Paix")
        fake_time.now += 1.0
    assert fake_time.sleeps == []


def test_server_errors_are_retried_then_none(api, fake_time, caplog):
    api.status = 500
    cache = FakeCache()
    geocoder = make_geocoder(api, fake_time, cache=cache)

    with caplog.at_level(logging.WARNING, logger="innovations.importing.geocoding"):
        assert geocoder.geocode(address="1 place Bellecour") is None

    assert len(api.requests) == 3  # one try, two retries
    assert fake_time.sleeps == [0.5, 1.0]  # backoff
    assert "HTTP 500" in caplog.text
    assert cache.data == {}  # failures are not cached: the next import tries again


def test_retry_succeeds_after_a_transient_error(api, fake_time):
    api.status = 503
    api.fail_times = 1
    result = make_geocoder(api, fake_time).geocode(address="1 place Bellecour")
    assert result == GeocodeResult(45.758, 4.835, "address")
    assert len(api.requests) == 2


def test_too_many_requests_is_retried(api, fake_time):
    api.status = 429
    api.fail_times = 2
    assert make_geocoder(api, fake_time).geocode(address="1 place Bellecour") is not None
    assert len(api.requests) == 3


def test_client_errors_are_not_retried(api, fake_time, caplog):
    api.status = 400
    with caplog.at_level(logging.WARNING, logger="innovations.importing.geocoding"):
        assert make_geocoder(api, fake_time).geocode(address="1 place Bellecour") is None
    assert len(api.requests) == 1
    assert "HTTP 400" in caplog.text


def test_network_errors_never_reach_the_caller(fake_time, caplog):
    class BrokenSession:
        calls = 0

        def get(self, url, *, params, timeout):
            BrokenSession.calls += 1
            raise ConnectionError("connexion refusée")

    geocoder = AddressApiGeocoder(
        session=BrokenSession(), sleep=fake_time.sleep, clock=fake_time.clock
    )
    with caplog.at_level(logging.WARNING, logger="innovations.importing.geocoding"):
        assert geocoder.geocode(address="1 place Bellecour") is None
    assert BrokenSession.calls == 3
    assert "connexion refusée" in caplog.text


def test_unreachable_server_is_none(fake_time):
    # A port nobody listens on (bound then closed).
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    geocoder = AddressApiGeocoder(
        base_url=f"http://127.0.0.1:{port}", sleep=fake_time.sleep, clock=fake_time.clock
    )
    assert geocoder.geocode(address="1 place Bellecour") is None
    assert fake_time.sleeps == [0.5, 1.0]


def test_session_is_injectable():
    class Response:
        status_code = 200
        headers: dict = {}

        def json(self):
            return {
                "features": [
                    {
                        "geometry": {"coordinates": [2.35, 48.85]},
                        "properties": {"score": 0.8, "type": "street"},
                    }
                ]
            }

    class Session:
        def __init__(self):
            self.calls = []

        def get(self, url, *, params, timeout):
            self.calls.append((url, params, timeout))
            return Response()

    session = Session()
    geocoder = AddressApiGeocoder(base_url="https://example.test/", session=session)
    assert geocoder.geocode(address="rue de Rivoli") == GeocodeResult(48.85, 2.35, "street")
    assert session.calls == [
        ("https://example.test/search/", {"q": "rue de Rivoli", "limit": "1"}, 5.0)
    ]


def test_base_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        AddressApiGeocoder(base_url="file:///etc/passwd")


# --- Offline geocoders ---------------------------------------------------------------------

CENTRES = {
    "69382": (45.7597, 4.8422, "municipality"),  # Lyon 2e
    "23096": (46.1710, 1.8710, "municipality"),  # Guéret
}


def fake_lookup(citycode: str):
    if citycode in CENTRES:
        return CENTRES[citycode]
    if citycode[:2] == "23":
        return (46.09, 2.02, "centroid")  # the Creuse département
    return None


def test_no_geocoder():
    assert NoGeocoder().geocode(address="1 place Bellecour", citycode="69382") is None


def test_centroid_geocoder_uses_the_citycode_only():
    lookups = []

    def lookup(citycode):
        lookups.append(citycode)
        return fake_lookup(citycode)

    geocoder = CentroidGeocoder(lookup=lookup)
    assert geocoder.geocode(address="n'importe quoi", citycode="69382") == GeocodeResult(
        45.7597, 4.8422, "municipality"
    )
    assert geocoder.geocode(address="x", citycode="23999") == GeocodeResult(46.09, 2.02, "centroid")
    assert geocoder.geocode(address="x", citycode="99999") is None
    assert geocoder.geocode(address="1 place Bellecour, Lyon", postcode="69002") is None
    assert lookups == ["69382", "23999", "99999"]


def test_chain_returns_the_first_result():
    class Fixed:
        def __init__(self, result):
            self.result = result
            self.calls = []

        def geocode(self, *, address, citycode="", postcode=""):
            self.calls.append((address, citycode, postcode))
            return self.result

    first, second, third = (
        Fixed(None),
        Fixed(GeocodeResult(1.0, 2.0, "street")),
        Fixed(GeocodeResult(3.0, 4.0, "address")),
    )
    chain = ChainGeocoder([first, second, third])

    assert chain.geocode(address="a", citycode="b", postcode="c") == GeocodeResult(
        1.0, 2.0, "street"
    )
    assert first.calls == second.calls == [("a", "b", "c")]
    assert third.calls == []
    assert ChainGeocoder([NoGeocoder(), first]).geocode(address="a") is None


def test_chain_falls_back_to_the_centroid_when_the_service_fails(api, fake_time):
    api.status = 500
    chain = ChainGeocoder([make_geocoder(api, fake_time), CentroidGeocoder(lookup=fake_lookup)])
    assert chain.geocode(address="1 place Bellecour", citycode="69382") == GeocodeResult(
        45.7597, 4.8422, "municipality"
    )


# --- From the settings ---------------------------------------------------------------------


def test_default_is_centroid(settings):
    if hasattr(settings, "GEOCODER"):
        del settings.GEOCODER
    geocoder = geocoder_from_settings(centroid_lookup=fake_lookup)
    assert isinstance(geocoder, CentroidGeocoder)
    assert geocoder.geocode(address="", citycode="69382").precision == "municipality"


def test_none_setting(settings):
    settings.GEOCODER = "none"
    assert isinstance(geocoder_from_settings(centroid_lookup=fake_lookup), NoGeocoder)


def test_api_adresse_setting(settings):
    from django.core.cache import cache

    settings.GEOCODER = "api-adresse"
    settings.GEOCODER_URL = "http://127.0.0.1:9/"
    geocoder = geocoder_from_settings(centroid_lookup=fake_lookup)

    assert isinstance(geocoder, ChainGeocoder)
    api, centroid = geocoder.geocoders
    assert isinstance(api, AddressApiGeocoder)
    assert api.base_url == "http://127.0.0.1:9"
    assert api.cache is cache
    assert isinstance(centroid, CentroidGeocoder)


def test_api_adresse_default_url(settings):
    settings.GEOCODER = "api-adresse"
    if hasattr(settings, "GEOCODER_URL"):
        del settings.GEOCODER_URL
    api = geocoder_from_settings(centroid_lookup=fake_lookup).geocoders[0]
    assert api.base_url == "https://api-adresse.data.gouv.fr"


def test_unknown_setting(settings):
    settings.GEOCODER = "google"
    with pytest.raises(ImproperlyConfigured, match="GEOCODER"):
        geocoder_from_settings(centroid_lookup=fake_lookup)
