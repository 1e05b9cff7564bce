"""/partenaires/ and /partenaires/<slug>/."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..selectors.listing import listing
from ..selectors.partners import partner_figures, partner_get, partners


@require_GET
def partner_index(request: HttpRequest) -> HttpResponse:
    return render(request, "curation/partner_index.html", {"partners": partners()})


@require_GET
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = partner_get(slug=slug)
    if source is None:
        raise Http404
    text = (request.GET.get("q") or "").strip()[:200]
    params = urlencode(
        [("type", "project"), ("source", source.slug), *([("q", text)] if text else [])]
    )
    results = listing(user=request.user, params=params, limit=12, with_points=True)
    figures = partner_figures(source=source)
    return render(
        request,
        "curation/partner_detail.html",
        {
            "source": source,
            "figures": figures,
            "results": results,
            "text": text,
            "map_url": f"{reverse('search:search')}?{params}&vue=carte",
        },
    )
