"""/themes/<slug>/, /territoires/region/<code>/ and /territoires/departement/<code>/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors.statistics import territory_map
from ..selectors.topics import topic_context, topic_for_territory, topic_for_theme


@require_GET
def theme_page(request: HttpRequest, slug: str) -> HttpResponse:
    topic = topic_for_theme(slug=slug)
    if topic is None:
        raise Http404
    context = topic_context(topic=topic, user=request.user)
    context["choropleth"] = territory_map(
        level="departement", counts=context["counts"], title=topic.title
    )
    return render(request, "curation/topic_page.html", context)


@require_GET
def territory_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    topic = topic_for_territory(level=level, code=code)
    if topic is None:
        raise Http404
    return render(
        request, "curation/topic_page.html", topic_context(topic=topic, user=request.user)
    )
