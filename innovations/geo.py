"""Geography helper: is a point in France (metropolitan or overseas)?"""

from __future__ import annotations

# (south, west, north, east) boxes of metropolitan France with Corsica and of the
# five overseas régions. Generous by a few kilometres (coasts, islands).
FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "metropole": (41.30, -5.30, 51.15, 9.65),
    "guadeloupe": (15.80, -61.85, 16.55, -60.95),
    "martinique": (14.35, -61.25, 14.90, -60.80),
    "guyane": (2.05, -54.65, 5.85, -51.55),
    "reunion": (-21.42, 55.20, -20.85, 55.86),
    "mayotte": (-13.05, 44.98, -12.60, 45.32),
}


def in_france(latitude: float, longitude: float) -> bool:
    return any(
        south <= latitude <= north and west <= longitude <= east
        for south, west, north, east in FRANCE_BOXES.values()
    )
