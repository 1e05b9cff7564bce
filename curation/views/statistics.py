"""/statistiques/ and one CSV per dataset (/statistiques/<slug>.csv)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.csvsafe import csv_download

from ..selectors.statistics import dataset, statistics


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    context = statistics()
    context["charts"] = {d.slug: d.chart_data() for d in context["datasets"]}
    return render(
        request, "curation/statistics.html", context, status=200 if context["available"] else 503
    )


@require_GET
def statistics_csv(request: HttpRequest, slug: str) -> HttpResponse:
    found = dataset(slug)
    if found is None:
        raise Http404

    def rows():
        yield [found.column, found.value_label]
        for label, value, _url in found.rows:
            yield [label, value]

    return csv_download(rows(), filename=f"carrefour-{slug}.csv")
