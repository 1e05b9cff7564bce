from .territories import Territory, TerritoryLevel

__all__ = ["Territory", "TerritoryLevel"]
