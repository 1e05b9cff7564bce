"""« S'en inspirer » (issue 16): the request form of a project
(``/projets-actions/<id>/s-en-inspirer/``), « Mes inspirations »
(``/mon-espace/inspirations/``: a member's requests, a pending one withdrawn from
there) and the team's inbox (``/mon-espace/projets/<id>/inspirations/``: answer,
pause). Plain forms, POST then redirect, Django messages: everything works
without JavaScript (the territory autocomplete only helps typing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from innovations.models import ProjectPage
from innovations.permissions import is_team_member

from ..forms._common import add_service_error
from ..forms.inspirations import InspirationDecisionForm, InspirationForm, InspirationPauseForm
from ..models import InspirationRequest
from ..selectors.inspirations import (
    can_read_inbox,
    inspiration_inbox,
    inspiration_project_get,
    inspirations_of_requester,
    inspire_box,
)
from ..services import inspirations as services
from ._common import attempt, refusal_text

NOT_FOUND = gettext_lazy("Ce projet n'existe pas ou ne vous est pas accessible.")


def _mine_url() -> str:
    return reverse("communities:my_inspirations")


def _inbox_url(project_id: int) -> str:
    return reverse("communities:inspiration_inbox", kwargs={"project_id": project_id})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inspire(request: HttpRequest, project_id: int) -> HttpResponse:
    project = inspiration_project_get(project_id=project_id, user=request.user)
    if project is None:
        raise Http404(NOT_FOUND)
    box = inspire_box(project=project, user=request.user)
    form = InspirationForm(
        request.POST if request.method == "POST" else None,
        initial=InspirationForm.initial_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspiration_request_create(
                project=project,
                requester=request.user,
                territory=data["territory"],
                organisation=data["organisation"],
                message=data["message"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except services.InspirationPermissionDenied as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(
                request,
                _(
                    "Votre demande est envoyée à l'équipe de « %(project)s ». Vous serez "
                    "prévenu·e de sa réponse ; suivez-la ici."
                )
                % {"project": project.title},
            )
            return redirect(_mine_url())
    return render(
        request,
        "communities/inspirations/inspire.html",
        {"project": project, "form": form, "box": box},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "communities/inspirations/mine.html",
        {"inspirations": list(inspirations_of_requester(user=request.user))},
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, inspiration_id: int) -> HttpResponse:
    inspiration = InspirationRequest.objects.filter(
        pk=inspiration_id, requester=request.user
    ).first()
    if inspiration is None:
        raise Http404(_("Cette demande n'existe pas."))
    attempt(
        request,
        lambda: services.inspiration_withdraw(inspiration=inspiration, actor=request.user),
        _("Votre demande est retirée."),
    )
    return redirect(_mine_url())


def _inbox_project(request: HttpRequest, project_id: int) -> ProjectPage:
    """The project whose inbox this is, for its team and editors only (404 to anyone
    else, as if it did not exist). Drafts too: requests stay to be answered when a
    project is unpublished."""
    project = ProjectPage.objects.filter(pk=project_id).first()
    if project is None or not can_read_inbox(project=project, user=request.user):
        raise Http404(NOT_FOUND)
    return project


def _render_inbox(request, project, *, failed=None, status=200) -> HttpResponse:
    inbox = inspiration_inbox(project=project)
    return render(
        request,
        "communities/inspirations/inbox.html",
        {
            "project": project,
            "inbox": inbox,
            "can_decide": is_team_member(project, request.user),
            # The answer a service refused: shown again with its error and its text.
            "failed": failed,
        },
        status=status,
    )


@login_required
@require_safe
def inbox(request: HttpRequest, project_id: int) -> HttpResponse:
    return _render_inbox(request, _inbox_project(request, project_id))


@login_required
@require_POST
def decide(request: HttpRequest, project_id: int, inspiration_id: int) -> HttpResponse:
    project = _inbox_project(request, project_id)
    inspiration = (
        InspirationRequest.objects.filter(project=project, pk=inspiration_id)
        .select_related("requester")
        .first()
    )
    if inspiration is None:
        raise Http404(_("Cette demande n'existe pas."))
    # Ids of this request's form: the error summary links to its own field.
    form = InspirationDecisionForm(request.POST, auto_id=f"inspiration-{inspiration.pk}-%s")
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            if accept:
                decided = services.inspiration_accept(
                    inspiration=inspiration,
                    actor=request.user,
                    message=form.cleaned_data["message"],
                )
            else:
                decided = services.inspiration_decline(
                    inspiration=inspiration,
                    actor=request.user,
                    message=form.cleaned_data["message"],
                )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Decided meanwhile by another team member, withdrawn, gone: said
                # above the inbox, where the request now shows its state.
                messages.error(request, refusal_text(exc))
                return redirect(_inbox_url(project.pk))
            add_service_error(form, exc)
        except services.InspirationPermissionDenied as exc:
            messages.error(request, refusal_text(exc))
            return redirect(_inbox_url(project.pk))
        else:
            if accept:
                messages.success(
                    request,
                    _("Demande acceptée : votre conversation avec %(person)s est ouverte.")
                    % {"person": inspiration.requester},
                )
                return redirect(
                    reverse("communities:direct", kwargs={"channel_id": decided.channel_id})
                )
            messages.success(
                request,
                _("Demande déclinée : %(person)s est prévenu·e.")
                % {"person": inspiration.requester},
            )
            return redirect(_inbox_url(project.pk))
    return _render_inbox(request, project, failed={"id": inspiration.pk, "form": form}, status=400)


@login_required
@require_POST
def pause(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _inbox_project(request, project_id)
    form = InspirationPauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choix inconnu."))
        return redirect(_inbox_url(project.pk))
    paused = form.cleaned_data["paused"]
    attempt(
        request,
        lambda: services.inspiration_requests_pause(
            project=project, actor=request.user, paused=paused
        ),
        _("Les demandes sont en pause : la page du projet l'indique.")
        if paused
        else _("Vous recevez de nouveau les demandes « S'en inspirer »."),
    )
    return redirect(_inbox_url(project.pk))
