"""The search's screens: the page (page.py), exports and feeds (exports.py), click
beacons (clicks.py); common.py holds what they share."""

from .clicks import click
from .exports import SearchFeed, SearchRssFeed, export_csv, export_geojson
from .page import search_page, suggestions

__all__ = [
    "SearchFeed",
    "SearchRssFeed",
    "click",
    "export_csv",
    "export_geojson",
    "search_page",
    "suggestions",
]
