"""The public JSON API, /api/v1/, documented by its OpenAPI schema
(/api/v1/openapi.json, browsable at /api/v1/docs). django-ninja builds the schema
from the typed endpoints of each app's router."""

from __future__ import annotations

from ninja import NinjaAPI

from innovations.api import projects_router
from innovations.api import router as innovations_router
from search.api import router as search_router

api = NinjaAPI(
    title="Carrefour des innovations sociales — API",
    version="1",
    description=(
        "Recherche multicritère et données ouvertes des projets du Carrefour. "
        "Paramètres et réponses en français ; les contenus non publics n'y apparaissent jamais."
    ),
    urls_namespace="api",
)
api.add_router("/", search_router)
api.add_router("/", innovations_router)
api.add_router("/", projects_router)
