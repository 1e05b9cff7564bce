"""Distance in SQL: ``carrefour_distance(lat1, lon1, lat2, lon2)`` in kilometres.

PostgreSQL gets it as an SQL function (migration 0002); SQLite as a Python function
registered on each connection (SQLite's math functions are a compile-time option).
"""

from __future__ import annotations

import math


def haversine_km(lat1, lon1, lat2, lon2) -> float | None:
    if None in (lat1, lon1, lat2, lon2):
        return None
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "carrefour_distance", 4, haversine_km, deterministic=True
        )
