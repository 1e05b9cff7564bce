"""Parsing the coordinates partners send.

Partners' files hold positions in many shapes: two columns or one, decimal commas,
latitude and longitude swapped, WKT (``POINT(lon lat)``), GeoJSON arrays or
geometries, even Lambert-93 metres from a GIS export. The functions here turn all
of these into one ``(latitude, longitude)`` pair in WGS84 degrees, or raise a
`CoordinateError` whose message (in French) tells the person importing what is
wrong with the value.

Swapped values are detected with `in_france`: in ``"auto"`` order, a point that
falls in France only once its two values are swapped is swapped. The two readings
can never both fall in France (the boxes of `innovations.geo` do not overlap
once mirrored), so the rule is unambiguous there; outside France the values are
kept in the order they were given.

Values that are too large to be degrees but fit the Lambert-93 extent over
metropolitan France (see `looks_like_lambert93`) are converted with
`lambert93_to_wgs84`.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

from innovations.geo import in_france

__all__ = [
    "CoordinateError",
    "in_france",
    "lambert93_to_wgs84",
    "looks_like_lambert93",
    "normalise_latlon",
    "parse_number",
    "parse_point",
]

ORDERS = ("auto", "latlon", "lonlat")


class CoordinateError(ValueError):
    """A value that cannot be a position; the message (French) is for the person importing."""


# --- Numbers -------------------------------------------------------------------------------

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " "})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# "652 469,02": thousands separated by spaces, as French spreadsheets write them.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?")


def parse_number(value) -> float | None:
    """A number from a cell: ``45``, ``"45.12"``, ``" 45,123 "`` (decimal comma).

    Empty values (``None``, ``""``, blanks) give ``None``; anything that is not a
    finite number raises `CoordinateError`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CoordinateError(f"« {value} » n'est pas un nombre")
    if isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        text = str(value).translate(_SPACES).strip()
        if not text:
            return None
        text = text.replace("\u2212", "-")  # typographic minus sign
        if text.endswith("°"):
            text = text[:-1].rstrip()
        if _GROUPED.fullmatch(text):
            text = text.replace(" ", "")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        if not _NUMBER.fullmatch(text):
            raise CoordinateError(f"« {str(value).strip()} » n'est pas un nombre")
        number = float(text)
    if not math.isfinite(number):
        raise CoordinateError(f"« {value} » n'est pas un nombre")
    return number


# --- Points --------------------------------------------------------------------------------

_WKT_POINT = re.compile(
    r"(?:SRID=(?P<srid>\d+)\s*;\s*)?POINT\s*(?:ZM|Z|M)?\s*\(\s*(?P<body>[^()]*?)\s*\)",
    re.IGNORECASE,
)


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")


def _split_pair(text: str) -> list[str]:
    """The parts of ``"45.1, 4.8"``, ``"45,1;4,8"``, ``"45.1 4.8"``, ``"45,1 4,8"``..."""
    if ";" in text:
        return [part.strip() for part in text.split(";")]
    if re.search(r",\s", text):
        return [part.strip() for part in re.split(r"\s*,\s+", text)]
    if re.search(r"\s", text):
        return text.split()
    if "," in text:
        parts = text.split(",")
        if "." not in text and len(parts) == 4:
            # "45,1,4,8": both numbers have a decimal comma.
            return [f"{parts[0]}.{parts[1]}", f"{parts[2]}.{parts[3]}"]
        return parts
    return [text]


def _pair_numbers(parts: list, original: str) -> tuple[float, float]:
    if len(parts) != 2 or any(part in ("", None) for part in parts):
        raise CoordinateError(
            f"« {original} » n'est pas une position : il faut deux nombres, "
            "la latitude et la longitude"
        )
    first, second = (parse_number(part) for part in parts)
    return first, second


def parse_point(value: str, *, order: str = "auto") -> tuple[float, float] | None:
    """A position written in one column, as ``(latitude, longitude)``.

    Accepted: ``"45.1, 4.8"``, ``"45,1;4,8"``, ``"45.1 4.8"``, ``"45,1 4,8"``,
    ``"45.1,4.8"``, ``"[45.1, 4.8]"``, ``"(45.1 4.8)"``, WKT ``"POINT(4.8 45.1)"``
    (optionally ``SRID=...;``; ``SRID=2154`` is Lambert-93) and GeoJSON point geometries
    ``{"type": "Point", "coordinates": [4.8, 45.1]}``.

    WKT and GeoJSON are always longitude first, whatever `order` says. For the
    other forms `order` tells which comes first: ``"latlon"``, ``"lonlat"`` or
    ``"auto"`` (read as latitude first, swapped when only the swapped point falls in
    France). A pair of Lambert-93 metres is converted. Empty values (and
    ``POINT EMPTY``) give ``None``.
    """
    _check_order(order)
    if value is None:
        return None
    text = str(value).translate(_SPACES).strip()
    if not text or re.fullmatch(r"(?:SRID=\d+\s*;\s*)?POINT\s+EMPTY", text, re.IGNORECASE):
        return None

    lon_first = order == "lonlat"
    if text.startswith("{"):
        first, second = _geojson_point(text)
        lon_first = True
    elif match := _WKT_POINT.fullmatch(text):
        parts = match["body"].split()
        # POINT Z / M / ZM: the third and fourth values are not needed.
        first, second = _pair_numbers(parts[:2] if len(parts) in (3, 4) else parts, text)
        if match["srid"] == "2154":
            return _checked(*_from_lambert(first, second, text), order="latlon")
        lon_first = True
    else:
        if text[0] + text[-1] in ("[]", "()"):
            text = text[1:-1].strip()
        first, second = _pair_numbers(_split_pair(text), str(value).strip())

    if looks_like_lambert93(first, second) or looks_like_lambert93(second, first):
        return _checked(*_from_lambert(first, second, str(value).strip()), order="latlon")
    lat, lon = (second, first) if lon_first else (first, second)
    return _checked(lat, lon, order=order)


def _geojson_point(text: str) -> tuple[float, float]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    coordinates = data.get("coordinates") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("type") != "Point"
        or not isinstance(coordinates, list)
        or len(coordinates) < 2
    ):
        raise CoordinateError(f"« {text} » n'est pas un point GeoJSON")
    return _pair_numbers(coordinates[:2], text)


def normalise_latlon(lat, lon, *, order: str = "auto") -> tuple[float, float] | None:
    """A position from two columns, as ``(latitude, longitude)`` floats.

    The values may be numbers or strings (decimal commas accepted). ``None`` when
    both are empty; `CoordinateError` when only one is given or when a value is not
    a number or out of range. ``order="lonlat"`` means the columns were filled the
    other way round; ``"auto"`` swaps them when only the swapped point falls in
    France. Lambert-93 metres (X and Y, in either column) are converted.
    """
    _check_order(order)
    first, second = parse_number(lat), parse_number(lon)
    if first is None and second is None:
        return None
    if first is None:
        raise CoordinateError(f"La latitude manque (longitude : {second:g})")
    if second is None:
        raise CoordinateError(f"La longitude manque (latitude : {first:g})")
    if looks_like_lambert93(second, first) or looks_like_lambert93(first, second):
        return _checked(*_from_lambert(first, second, f"{first:g}, {second:g}"), order="latlon")
    if order == "lonlat":
        first, second = second, first
    return _checked(first, second, order=order)


def _from_lambert(a: float, b: float, original: str) -> tuple[float, float]:
    if looks_like_lambert93(a, b):
        return lambert93_to_wgs84(a, b)
    if looks_like_lambert93(b, a):
        return lambert93_to_wgs84(b, a)
    raise CoordinateError(
        f"« {original} » n'est pas une position Lambert-93 en France métropolitaine"
    )


def _checked(lat: float, lon: float, *, order: str) -> tuple[float, float]:
    """Swap if needed (``"auto"``), then check the ranges."""
    if order == "auto" and not in_france(lat, lon) and in_france(lon, lat):
        lat, lon = lon, lat
    if not -90 <= lat <= 90:
        raise CoordinateError(f"La latitude {lat:g} est hors limites (entre -90 et 90)")
    if not -180 <= lon <= 180:
        raise CoordinateError(f"La longitude {lon:g} est hors limites (entre -180 et 180)")
    if lat == 0 and lon == 0:
        raise CoordinateError("La position 0, 0 n'est pas une vraie position (valeur par défaut)")
    return lat, lon


# --- Lambert-93 ----------------------------------------------------------------------------

# RGF93 / Lambert-93 (EPSG:2154): the constants of the IGN notice for this projection.
LAMBERT93_N = 0.7256077650532670
LAMBERT93_C = 11754255.426096
LAMBERT93_XS = 700000.0
LAMBERT93_YS = 12655612.049876
LAMBERT93_E = 0.08181919104281579  # first eccentricity of the IAG GRS 1980 ellipsoid
LAMBERT93_LAMBDA0 = math.radians(3.0)  # central meridian, from Greenwich

# Extent of Lambert-93 over metropolitan France (with margins), in metres.
LAMBERT93_X_RANGE = (100_000.0, 1_300_000.0)
LAMBERT93_Y_RANGE = (6_000_000.0, 7_200_000.0)


def looks_like_lambert93(a: float, b: float) -> bool:
    """Whether ``(a, b)`` can be Lambert-93 ``(x, y)`` metres over metropolitan France."""
    if a is None or b is None:
        return False
    return (
        LAMBERT93_X_RANGE[0] <= a <= LAMBERT93_X_RANGE[1]
        and LAMBERT93_Y_RANGE[0] <= b <= LAMBERT93_Y_RANGE[1]
    )


def _latitude_from_isometric(iso: float, e: float, tolerance: float = 1e-11) -> float:
    """IGN ALG0002: geographic latitude (radians) from isometric latitude, by iteration."""
    exp_iso = math.exp(iso)
    phi = 2 * math.atan(exp_iso) - math.pi / 2
    for _ in range(100):
        e_sin = e * math.sin(phi)
        following = 2 * math.atan(((1 + e_sin) / (1 - e_sin)) ** (e / 2) * exp_iso) - math.pi / 2
        if abs(following - phi) < tolerance:
            return following
        phi = following
    return phi  # converges in a handful of steps; never reached in practice


def _lambert_inverse(
    x: float,
    y: float,
    *,
    n: float,
    c: float,
    xs: float,
    ys: float,
    lambda_c: float,
    e: float,
    tolerance: float = 1e-11,
) -> tuple[float, float]:
    """IGN ALG0004: ``(latitude, longitude)`` in radians from Lambert projected ``(x, y)``.

    Valid for the secant/tangent conic projections with ``n > 0`` (all of France).
    """
    dx, dy = x - xs, ys - y
    r = math.hypot(dx, dy)
    gamma = math.atan2(dx, dy)
    longitude = lambda_c + gamma / n
    isometric = -1 / n * math.log(abs(r / c))
    latitude = _latitude_from_isometric(isometric, e, tolerance)
    return latitude, longitude


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RGF93 / Lambert-93 (EPSG:2154) metres to WGS84 ``(latitude, longitude)`` degrees.

    This is the inverse Lambert conformal conic projection as published by IGN
    (notice ALG0004, "Projection cartographique conique conforme de Lambert", with
    the iterative latitude of ALG0002 to 1e-11 rad), with the constants of
    Lambert-93: n, c, xs, ys, the GRS 1980 eccentricity e and λ0 = 3° east of
    Greenwich.

    Why not pyproj? We need exactly one fixed projection, for which IGN publishes a
    short closed algorithm; pyproj would bring the PROJ library (a ~30 MB binary
    wheel plus its data) into the whole project for a dozen lines of arithmetic.

    No datum shift is applied: RGF93 is the French realisation of ETRS89, which
    agrees with WGS84 to well under a metre — negligible for placing a project on a
    map (and below the precision of the coordinates partners send).
    """
    latitude, longitude = _lambert_inverse(
        x,
        y,
        n=LAMBERT93_N,
        c=LAMBERT93_C,
        xs=LAMBERT93_XS,
        ys=LAMBERT93_YS,
        lambda_c=LAMBERT93_LAMBDA0,
        e=LAMBERT93_E,
    )
    return math.degrees(latitude), math.degrees(longitude)
