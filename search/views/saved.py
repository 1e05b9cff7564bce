"""Saved searches: save one from the results page, « Mes recherches » (list, edit,
delete) and the one-click unsubscribe of an alert. Every change goes through
search/alerts.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .. import alerts
from ..forms import SavedSearchForm
from ..models import SavedSearch
from ..query import QueryError, parse_params
from ..registry import principals_for


def _default_name(request: HttpRequest, params: str) -> str:
    text = QueryDict(params).get("q", "").strip()
    return text[:120] if text else _("Ma recherche")


def _search_summary(params: str, request: HttpRequest) -> str:
    """What the search is, in words (« tiers-lieux · Creuse · 2 filtres »)."""
    try:
        query = parse_params(QueryDict(params), principals=principals_for(request.user))
    except QueryError:
        return params
    parts = [f"« {query.text} »"] if query.text else []
    if query.geo is not None and query.geo.label:
        parts.append(query.geo.label)
    count = sum(len(values) for values in query.filters.values())
    if count:
        parts.append(
            _("%(count)s filtre") % {"count": count}
            if count == 1
            else _("%(count)s filtres") % {"count": count}
        )
    return " · ".join(parts) or _("toute la recherche")


@login_required
@require_http_methods(["GET", "POST"])
def saved_search_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        params = request.POST.get("params", "")
        if form.is_valid():
            try:
                alerts.saved_search_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    params=form.cleaned_data["params"],
                    frequency=form.cleaned_data["frequency"],
                    language=get_language() or "fr",
                )
            except alerts.SavedSearchError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Recherche enregistrée."))
                return redirect("search:saved_searches")
    else:
        params = urlencode(
            [
                (name, value)
                for name, values in request.GET.lists()
                for value in values
                if name not in ("page", "vue")
            ]
        )
        form = SavedSearchForm(initial={"params": params, "name": _default_name(request, params)})
    return render(
        request,
        "search/saved_search_new.html",
        {
            "form": form,
            "summary": _search_summary(params, request),
            "search_url": "?".join(filter(None, ["/recherche/", params])),
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@login_required
@never_cache
def saved_searches(request: HttpRequest) -> HttpResponse:
    items = [
        {
            "saved": saved,
            "url": alerts.saved_search_url(saved),
            "summary": _search_summary(saved.params, request),
            "form": SavedSearchForm(
                initial={"name": saved.name, "frequency": saved.frequency},
                auto_id=f"id_search{saved.pk}_%s",
            ),
        }
        for saved in alerts.saved_searches_of(user=request.user)
    ]
    return render(request, "search/saved_searches.html", {"items": items})


def _own(request: HttpRequest, pk: int) -> SavedSearch:
    saved = SavedSearch.objects.filter(pk=pk, user=request.user).first()
    if saved is None:
        raise Http404
    return saved


@login_required
@require_POST
def saved_search_edit(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own(request, pk)
    form = SavedSearchForm(request.POST, auto_id=f"id_search{saved.pk}_%s")
    if form.is_valid():
        try:
            alerts.saved_search_update(
                saved_search=saved,
                name=form.cleaned_data["name"],
                frequency=form.cleaned_data["frequency"],
                language=get_language() or "",
            )
        except alerts.SavedSearchError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Recherche « %(name)s » modifiée.") % {"name": saved.name})
    else:
        messages.error(
            request,
            _("La recherche n'a pas été modifiée : %(errors)s")
            % {"errors": " ".join(e for errors in form.errors.values() for e in errors)},
        )
    return redirect("search:saved_searches")


@login_required
@require_POST
def saved_search_remove(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _own(request, pk)
    name = saved.name
    alerts.saved_search_delete(saved_search=saved)
    messages.success(request, _("Recherche « %(name)s » supprimée.") % {"name": name})
    return redirect("search:saved_searches")


# No CSRF token: the signed token in the address authorises the change, and mail
# clients send RFC 8058's one-click POST without any. GET only asks to confirm, so
# that link checkers opening e-mail links change nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        saved = alerts.saved_search_from_token(token)
    except alerts.InvalidAlertLink:
        return render(request, "search/alert_unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        alerts.alerts_unsubscribe(saved_search=saved)
    return render(
        request,
        "search/alert_unsubscribe.html",
        {"saved": saved, "done": request.method == "POST"},
    )
