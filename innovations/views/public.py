"""Public actions on a live project page: claim it, reveal its contact address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.client_ip import client_ip

from ..forms import ClaimForm
from ..models import Openness
from ..opendata import project_field_access, viewer_level
from ..permissions import ProjectPermissionDenied
from ..selectors import projects_live
from ..services import claims as claim_services

CONTACT_REVEALS_PER_HOUR = 30


@login_required
@require_http_methods(["GET", "POST"])
def project_claim(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(projects_live(), pk=project_id)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim_services.claim_create(
                project=project, user=request.user, message=form.cleaned_data["message"]
            )
        except (ValidationError, ProjectPermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("Demande envoyée : l'équipe éditoriale vous répond par e-mail."),
            )
            return redirect(project.url)
    return render(request, "innovations/project_claim.html", {"project": project, "form": form})


@require_http_methods(["GET", "POST"])
def project_contact(request: HttpRequest, project_id: int) -> HttpResponse:
    """The contact address is never in the project page's HTML: a person asks for it
    (a POST, which link-following robots do not send), within a rate limit per IP."""
    project = get_object_or_404(projects_live(), pk=project_id)
    level = viewer_level(request=request, project=project)
    if not project.contact_email:
        raise Http404(_("Ce projet n'a pas d'adresse de contact publique."))
    if not project_field_access(project=project, level=level)["contact_email"]:
        if (
            not request.user.is_authenticated
            and project_field_access(project=project, level=Openness.COMMONS)["contact_email"]
        ):
            return redirect_to_login(request.get_full_path())
        # Not theirs to see: the same answer as a project without an address.
        raise Http404(_("Ce projet n'a pas d'adresse de contact publique."))
    revealed = False
    limited = False
    if request.method == "POST":
        key = f"contact-reveal:{client_ip(request)}"  # as the API's throttle counts
        count = cache.get_or_set(key, 0, timeout=3600)
        if count >= CONTACT_REVEALS_PER_HOUR:
            limited = True
        else:
            cache.incr(key)
            revealed = True
    response = render(
        request,
        "innovations/project_contact.html",
        {"project": project, "revealed": revealed, "limited": limited},
        status=429 if limited else 200,
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
