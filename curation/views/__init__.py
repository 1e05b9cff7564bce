"""Curation's public screens: partners, theme and territory pages (with their gaps
tables and portraits), statistics."""

from .partners import partner_detail, partner_index
from .portraits import territory_portrait
from .statistics import statistics_csv, statistics_page
from .topics import territory_gaps_csv, territory_page, theme_gaps_csv, theme_page

__all__ = [
    "partner_detail",
    "partner_index",
    "statistics_csv",
    "statistics_page",
    "territory_gaps_csv",
    "territory_page",
    "territory_portrait",
    "theme_gaps_csv",
    "theme_page",
]
