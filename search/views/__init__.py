"""The search's screens: the page (page.py), exports and feeds (exports.py), click
beacons (clicks.py); common.py holds what they share."""

from .clicks import click
from .exports import SearchFeed, SearchRssFeed, export_csv, export_geojson
from .page import search_page, suggestions
from .saved import (
    alert_unsubscribe,
    saved_search_edit,
    saved_search_new,
    saved_search_remove,
    saved_searches,
)

__all__ = [
    "SearchFeed",
    "SearchRssFeed",
    "alert_unsubscribe",
    "click",
    "export_csv",
    "export_geojson",
    "saved_search_edit",
    "saved_search_new",
    "saved_search_remove",
    "saved_searches",
    "search_page",
    "suggestions",
]
