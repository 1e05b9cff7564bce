from .projects import (
    SDG_LABELS,
    ClaimStatus,
    LegalStatus,
    ProjectClaim,
    ProjectIndexPage,
    ProjectInvitation,
    ProjectLink,
    ProjectLocation,
    ProjectMember,
    ProjectPage,
    ProjectTag,
    Scale,
    Stage,
)
from .sources import ProjectSourceRecord, Source
from .taxonomy import Method, Public, Theme, ThemeDomain
from .territories import Territory, TerritoryLevel

__all__ = [
    "SDG_LABELS",
    "ClaimStatus",
    "LegalStatus",
    "Method",
    "ProjectClaim",
    "ProjectIndexPage",
    "ProjectInvitation",
    "ProjectLink",
    "ProjectLocation",
    "ProjectMember",
    "ProjectPage",
    "ProjectSourceRecord",
    "ProjectTag",
    "Public",
    "Scale",
    "Source",
    "Stage",
    "Territory",
    "TerritoryLevel",
    "Theme",
    "ThemeDomain",
]
