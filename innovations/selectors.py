"""Read-side queries of the innovations app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Territory, TerritoryLevel


def territory_choices_for_profile() -> QuerySet[Territory]:
    """Régions then départements, for the home-territory select of a profile."""
    return Territory.objects.filter(
        level__in=[TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT]
    ).order_by("-level", "name")
