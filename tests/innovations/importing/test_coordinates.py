"""Coordinates from partners' files: numbers, pairs, WKT, swaps, Lambert-93."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from innovations.importing import coordinates
from innovations.importing.coordinates import (
    CoordinateError,
    in_france,
    lambert93_to_wgs84,
    looks_like_lambert93,
    normalise_latlon,
    parse_number,
    parse_point,
)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def assert_point(actual, expected, tolerance=1e-9):
    assert actual is not None
    assert actual[0] == pytest.approx(expected[0], abs=tolerance)
    assert actual[1] == pytest.approx(expected[1], abs=tolerance)


# --- parse_number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45, 45.0),
        (45.5, 45.5),
        (Decimal("45.125"), 45.125),
        ("45.12", 45.12),
        (" 45.12 ", 45.12),
        ("45,123", 45.123),
        ("-1,5", -1.5),
        ("\u22121.5", -1.5),  # typographic minus
        ("+4.8", 4.8),
        (".5", 0.5),
        ("45.1°", 45.1),
        ("652 469,02", 652469.02),
        ("6\u202f861\u202f819,27", 6861819.27),
        ("1e3", 1000.0),
    ],
)
def test_parse_number(value, expected):
    assert parse_number(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0"])
def test_parse_number_empty_is_none(value):
    assert parse_number(value) is None


@pytest.mark.parametrize(
    "value", ["abc", "45.1.2", "45,1,2", "4 5", "1_000", "nan", "inf", "45.1 4.8", True]
)
def test_parse_number_garbage(value):
    with pytest.raises(CoordinateError, match="n'est pas un nombre"):
        parse_number(value)


def test_parse_number_message_is_french_and_quotes_the_value():
    with pytest.raises(CoordinateError) as caught:
        parse_number(" abc ")
    assert str(caught.value) == "« abc » n'est pas un nombre"


def test_coordinate_error_is_a_value_error():
    assert issubclass(CoordinateError, ValueError)


# --- parse_point ---------------------------------------------------------------------------

LYON_AREA = (45.1, 4.8)


@pytest.mark.parametrize(
    "value",
    [
        "45.1, 4.8",
        "45.1,4.8",
        "45,1;4,8",
        "45.1;4.8",
        "45,1 ; 4,8",
        "45.1 4.8",
        "45,1 4,8",
        "45,1, 4,8",
        "45,1,4,8",
        "  45.1\t4.8  ",
        "[45.1, 4.8]",
        "(45.1, 4.8)",
        "POINT(4.8 45.1)",
        "point (4.8 45.1)",
        "POINT Z (4.8 45.1 170)",
        "SRID=4326;POINT(4.8 45.1)",
        '{"type": "Point", "coordinates": [4.8, 45.1]}',
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.8, 45.1]}}',
    ],
)
def test_parse_point_formats(value):
    assert_point(parse_point(value), LYON_AREA)


@pytest.mark.parametrize("value", ["[4.8, 45.1]", "4.8, 45.1", "4,8;45,1", "4.8 45.1"])
def test_parse_point_auto_swaps_longitude_first(value):
    assert_point(parse_point(value), LYON_AREA)


def test_parse_point_auto_fixes_wkt_written_latitude_first():
    assert_point(parse_point("POINT(45.1 4.8)"), LYON_AREA)


def test_parse_point_explicit_orders():
    assert_point(parse_point("4.8, 45.1", order="lonlat"), LYON_AREA)
    assert_point(parse_point("45.1, 4.8", order="latlon"), LYON_AREA)
    # Told latlon: no swap even though the point is not in France.
    assert_point(parse_point("4.8, 45.1", order="latlon"), (4.8, 45.1))
    # WKT is longitude first whatever the order says.
    assert_point(parse_point("POINT(4.8 45.1)", order="latlon"), LYON_AREA)


def test_parse_point_keeps_order_outside_france():
    # Berlin, given latitude first: neither reading is in France, kept as is.
    assert_point(parse_point("52.52, 13.40"), (52.52, 13.40))


def test_parse_point_overseas():
    # Saint-Denis de La Réunion, both ways round.
    assert_point(parse_point("-20.88, 55.45"), (-20.88, 55.45))
    assert_point(parse_point("[55.45, -20.88]"), (-20.88, 55.45))


@pytest.mark.parametrize("value", [None, "", "   ", "POINT EMPTY"])
def test_parse_point_empty(value):
    assert parse_point(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("45.1", "il faut deux nombres"),
        ("45.1, 4.8, 3", "il faut deux nombres"),
        ("45.1;", "il faut deux nombres"),
        ("abc, def", "« abc » n'est pas un nombre"),
        ("POINT(x y)", "« x » n'est pas un nombre"),
        ('{"type": "LineString", "coordinates": []}', "n'est pas un point GeoJSON"),
        ("{pas du json", "n'est pas un point GeoJSON"),
        ("95, 4.8", "La latitude 95 est hors limites"),
        ("45, 200", "La longitude 200 est hors limites"),
        ("0, 0", "n'est pas une vraie position"),
    ],
)
def test_parse_point_errors(value, message):
    with pytest.raises(CoordinateError, match=message):
        parse_point(value)


def test_parse_point_rejects_unknown_order():
    with pytest.raises(ValueError, match="order"):
        parse_point("45.1, 4.8", order="yx")


def test_parse_point_lambert93():
    expected = (48.85296001, 2.34987006)  # Notre-Dame de Paris
    assert_point(parse_point("652294.74 6861631.93"), expected, tolerance=1e-7)
    assert_point(parse_point("652294,74;6861631,93"), expected, tolerance=1e-7)
    assert_point(parse_point("SRID=2154;POINT(652294.74 6861631.93)"), expected, tolerance=1e-7)
    # Y first: still recognised.
    assert_point(parse_point("6861631.93, 652294.74"), expected, tolerance=1e-7)


# --- normalise_latlon ----------------------------------------------------------------------


def test_normalise_latlon_numbers_and_strings():
    assert normalise_latlon(45.1, 4.8) == LYON_AREA
    assert_point(normalise_latlon("45,1", "4,8"), LYON_AREA)
    assert_point(normalise_latlon(" 45.1 ", "4.8"), LYON_AREA)
    assert_point(normalise_latlon(Decimal("45.1"), "4,8"), LYON_AREA)


def test_normalise_latlon_both_empty_is_none():
    assert normalise_latlon(None, None) is None
    assert normalise_latlon("", " ") is None


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("45.1", "", "La longitude manque"),
        (None, "4.8", "La latitude manque"),
        ("abc", "4.8", "« abc » n'est pas un nombre"),
        ("91", "4.8", "La latitude 91 est hors limites"),
        ("-90.5", "4.8", "La latitude -90.5 est hors limites"),
        ("45", "180.5", "La longitude 180.5 est hors limites"),
        ("0", "0", "n'est pas une vraie position"),
    ],
)
def test_normalise_latlon_errors(lat, lon, message):
    with pytest.raises(CoordinateError, match=message):
        normalise_latlon(lat, lon)


def test_normalise_latlon_swaps_clearly_swapped_columns():
    assert_point(normalise_latlon("4,8", "45,1"), LYON_AREA)
    # Brest: a negative longitude swapped.
    assert_point(normalise_latlon(-4.486, 48.3904), (48.3904, -4.486))
    # Guyane (Cayenne) swapped.
    assert_point(normalise_latlon(-52.33, 4.92), (4.92, -52.33))


def test_normalise_latlon_no_swap_when_ambiguous_or_explicit():
    # Neither reading falls in France: kept.
    assert normalise_latlon(52.52, 13.40) == (52.52, 13.40)
    # Explicit latlon: kept even though swapped would be in France.
    assert normalise_latlon(4.8, 45.1, order="latlon") == (4.8, 45.1)
    # Explicit lonlat: the "lat" column holds longitudes.
    assert normalise_latlon(4.8, 45.1, order="lonlat") == LYON_AREA


def test_normalise_latlon_lambert93_columns():
    # X and Y of Marseille's Vieux-Port, in the longitude and latitude columns, or the reverse.
    expected = (43.29509996, 5.37440006)
    assert_point(normalise_latlon(6246890.91, 892768.24), expected, tolerance=1e-7)
    assert_point(normalise_latlon(892768.24, 6246890.91), expected, tolerance=1e-7)


# --- France --------------------------------------------------------------------------------


def test_in_france_is_the_geo_helper():
    from innovations import geo

    assert coordinates.in_france is geo.in_france
    assert in_france(48.85, 2.35)
    assert in_france(-12.78, 45.23)  # Mayotte
    assert not in_france(52.52, 13.40)


# --- Lambert-93 ----------------------------------------------------------------------------
# Reference values computed with PROJ 9.5 (pyproj 3.7, EPSG:2154 -> EPSG:4326).


def test_lambert93_origin_is_exact():
    lat, lon = lambert93_to_wgs84(700000, 6600000)
    assert lat == pytest.approx(46.5, abs=1e-12)
    assert lon == pytest.approx(3.0, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "xy", "latlon"),
    [
        ("Paris, Notre-Dame", (652294.74, 6861631.93), (48.85296001, 2.34987006)),
        ("Paris, Hôtel de Ville", (652469.02, 6861819.27), (48.85465763, 2.35222411)),
        ("Marseille, Vieux-Port", (892768.24, 6246890.91), (43.29509996, 5.37440006)),
        ("Brest", (146640.35, 6836261.63), (48.39040004, -4.48599998)),
        ("Strasbourg", (1050210.15, 6841837.10), (48.58189998, 7.75080004)),
        ("Ajaccio", (1176667.56, 6108273.28), (41.91919997, 8.73859998)),
    ],
)
def test_lambert93_to_wgs84_accuracy(name, xy, latlon):
    result = lambert93_to_wgs84(*xy)
    assert distance_m(result, latlon) < 0.01, name  # centimetric agreement with PROJ


def test_lambert93_notre_dame_within_two_metres_of_its_known_position():
    assert distance_m(lambert93_to_wgs84(652294.74, 6861631.93), (48.85296, 2.34987)) < 2


def _lambert93_forward(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """IGN ALG0003 (direct projection), written independently of the module."""
    n, c, xs, ys, e = 0.7256077650532670, 11754255.426096, 700000, 12655612.049876, 0.0818191910428
    phi = math.radians(lat_deg)
    iso = math.log(
        math.tan(math.pi / 4 + phi / 2)
        * ((1 - e * math.sin(phi)) / (1 + e * math.sin(phi))) ** (e / 2)
    )
    radius = c * math.exp(-n * iso)
    gamma = n * (math.radians(lon_deg) - math.radians(3))
    return xs + radius * math.sin(gamma), ys - radius * math.cos(gamma)


@pytest.mark.parametrize(
    "latlon", [(48.85296, 2.34987), (43.2951, 5.3744), (48.3904, -4.486), (42.7, 9.45), (51.0, 2.3)]
)
def test_lambert93_round_trip(latlon):
    assert distance_m(lambert93_to_wgs84(*_lambert93_forward(*latlon)), latlon) < 0.001


def test_lambert_inverse_ign_test_vector():
    """The test values of IGN's notice ALG0004 (Lambert I, Paris meridian)."""
    latitude, longitude = coordinates._lambert_inverse(
        1029705.083,
        272723.849,
        n=0.7604059656,
        c=11603796.98,
        xs=600000.0,
        ys=5657616.674,
        lambda_c=0.04079234433,
        e=0.0824832568,
    )
    assert longitude == pytest.approx(0.145512099, abs=1e-9)
    assert latitude == pytest.approx(0.872664626, abs=1e-9)


def test_looks_like_lambert93():
    assert looks_like_lambert93(652469.02, 6861819.27)
    assert looks_like_lambert93(146640.35, 6836261.63)
    assert not looks_like_lambert93(6861819.27, 652469.02)  # swapped
    assert not looks_like_lambert93(45.1, 4.8)
    assert not looks_like_lambert93(50_000, 6_500_000)
    assert not looks_like_lambert93(700_000, 7_300_000)
