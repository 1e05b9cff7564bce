"""/themes/<slug>/, /territoires/region/<code>/ and /territoires/departement/<code>/,
with their gaps tables as CSV (…/manques.csv)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.csvsafe import csv_download

from ..forms import GapsDomainForm
from ..models import TopicKind
from ..selectors.figures import project_counts
from ..selectors.gaps import Gaps, domains, gaps, gaps_csv_rows, most_represented, who_acts
from ..selectors.statistics import territory_map
from ..selectors.topics import Topic, topic_context, topic_for_territory, topic_for_theme


def _domain_form(params: QueryDict, default: str | None) -> tuple[GapsDomainForm, str | None]:
    """The domain asked for (« domaine »), or ``default`` when none or a bad one
    is given (the form then carries the French error)."""
    choices = domains()
    value = params.get("domaine")
    if value is None:
        form = GapsDomainForm(initial={"domaine": default}, domains=choices)
        return form, default
    form = GapsDomainForm({"domaine": value[:80]}, domains=choices)
    if form.is_valid():
        return form, form.cleaned_data["domaine"]
    # The default is shown chosen in the list, with the error that explains why.
    errors = list(form.errors.get("domaine", []))
    form = GapsDomainForm({"domaine": default or ""}, domains=choices)
    form.is_valid()
    form.add_error("domaine", errors)
    return form, default


def _territory_gaps(topic: Topic, domain: str | None, *, with_map: bool = True) -> Gaps | None:
    if domain is None:
        return None
    if topic.kind == TopicKind.REGION:
        return gaps(domain=domain, region=topic.code, with_map=with_map)
    return gaps(domain=domain, current={topic.code}, with_map=with_map)


@require_GET
def theme_page(request: HttpRequest, slug: str) -> HttpResponse:
    topic = topic_for_theme(slug=slug)
    if topic is None:
        raise Http404
    context = topic_context(topic=topic, user=request.user)
    context["choropleth"] = territory_map(
        level="departement", counts=context["counts"], title=topic.title
    )
    if topic.kind == TopicKind.DOMAIN:
        context["gaps"] = gaps(domain=topic.code)
        context["gaps_csv"] = reverse("curation:theme_gaps_csv", kwargs={"slug": slug})
    return render(request, "curation/topic_page.html", context)


@require_GET
def territory_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    topic = topic_for_territory(level=level, code=code)
    if topic is None:
        raise Http404
    context = topic_context(topic=topic, user=request.user)
    form, domain = _domain_form(request.GET, most_represented(context["who_acts"]))
    where = {"level": level, "code": code}
    context["gaps_form"] = form
    context["gaps"] = found = _territory_gaps(topic, domain)
    if found is not None:
        csv_path = reverse("curation:territory_gaps_csv", kwargs=where)
        context["gaps_csv"] = f"{csv_path}?{urlencode({'domaine': found.domain})}"
    context["portrait_url"] = reverse("curation:territory_portrait", kwargs=where)
    return render(request, "curation/topic_page.html", context)


def _gaps_download(found: Gaps | None, name: str) -> HttpResponse:
    if found is None:
        return HttpResponse(
            _("Domaine inconnu : choisissez un domaine dans la liste de la page."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return csv_download(gaps_csv_rows(found), filename=f"manques-{name}-{found.domain}.csv")


@require_GET
def territory_gaps_csv(request: HttpRequest, level: str, code: str) -> HttpResponse:
    topic = topic_for_territory(level=level, code=code)
    if topic is None:
        raise Http404
    value = request.GET.get("domaine")
    if value is None:  # the page's default: the territory's most represented domain
        counts = project_counts(**topic.filters)
        value = most_represented(who_acts(facet=topic.facet, code=topic.code, counts=counts))
    found = _territory_gaps(topic, (value or "")[:80], with_map=False)
    return _gaps_download(found, f"{level}-{code}")


@require_GET
def theme_gaps_csv(request: HttpRequest, slug: str) -> HttpResponse:
    topic = topic_for_theme(slug=slug)
    if topic is None or topic.kind != TopicKind.DOMAIN:
        raise Http404
    return _gaps_download(gaps(domain=topic.code, with_map=False), "france")
