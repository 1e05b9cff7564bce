"""/projets/: live projects, filterable by theme domain and région, paginated."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..selectors import listing_facets, projects_for_listing

PAGE_SIZE = 24


def project_index(request: HttpRequest, *, index_page) -> HttpResponse:
    domain = request.GET.get("domaine", "").strip()[:80]
    region = request.GET.get("region", "").strip()[:3]
    paginator = Paginator(projects_for_listing(domain_code=domain, region_code=region), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    facets = listing_facets()
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "innovations/project_index_page.html",
        {
            "page": index_page,
            "self": index_page,
            "projects": page_obj.object_list,
            "page_obj": page_obj,
            "facets": facets,
            "selected_domain": domain,
            "selected_region": region,
            "querystring": query.urlencode(),
        },
    )
