"""/communautes/proposer/: a member proposes a community (when the setting
``CARREFOUR_COMMUNITY_PROPOSALS`` allows it). It waits for the editors, who open or
refuse it from the admin; its proposer owns it and sees it meanwhile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import ProposalForm, add_service_error
from ..rules import proposals_open
from ._common import Refusal, refusal_text


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    if not proposals_open():
        raise Http404(_("Les propositions de communautés sont fermées pour le moment."))
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_propose(user=request.user, data=form.to_input())
        except Refusal as exc:
            if hasattr(exc, "error_dict"):
                add_service_error(form, exc)
            else:
                form.add_error(None, refusal_text(exc))
        else:
            messages.success(
                request,
                _(
                    "Merci ! Votre proposition « %(name)s » est envoyée à l'équipe éditoriale, "
                    "qui la validera avant qu'elle apparaisse dans l'annuaire."
                )
                % {"name": community.name},
            )
            return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/propose.html", {"form": form})
