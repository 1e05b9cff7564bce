"""Curation's public screens: partners, theme and territory pages, statistics."""

from .partners import partner_detail, partner_index
from .statistics import statistics_csv, statistics_page
from .topics import territory_page, theme_page

__all__ = [
    "partner_detail",
    "partner_index",
    "statistics_csv",
    "statistics_page",
    "territory_page",
    "theme_page",
]
