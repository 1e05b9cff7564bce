"""The public JSON API, /api/v1/, documented by its OpenAPI schema
(/api/v1/openapi.json, browsable at /api/v1/docs). django-ninja builds the schema
from the typed endpoints of each app's router."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import Throttled

from communities.api import router as communities_router
from communities.api_channels import router as channels_router
from innovations.api import projects_router
from innovations.api import router as innovations_router
from search.api import router as search_router

api = NinjaAPI(
    title="Carrefour des innovations sociales — API",
    version="1",
    description=(
        "Recherche multicritère, données ouvertes des projets et communautés du Carrefour. "
        "Paramètres et réponses en français ; un contenu non public n'y apparaît qu'à qui "
        "peut le voir."
    ),
    urls_namespace="api",
)
api.add_router("/", search_router)
api.add_router("/", innovations_router)
api.add_router("/", projects_router)
api.add_router("/", communities_router)
api.add_router("/", channels_router)


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    # ninja's body is in English; same shape ({"detail": …}, documented as ErrorOut),
    # ninja adds the Retry-After header itself.
    return api.create_response(
        request,
        {"detail": _("Trop de requêtes : réessayez après le délai indiqué (Retry-After).")},
        status=429,
    )
