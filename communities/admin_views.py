"""Wagtail admin screen: an editor approves or refuses a proposed community."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Community
from .permissions import is_community_editor
from .services import community_approve, community_refuse


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message à la personne qui l'a proposée (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )


def decide(request, community_id: int):
    if not is_community_editor(request.user):
        raise PermissionDenied
    community = get_object_or_404(Community, pk=community_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"]
        try:
            if "approve" in request.POST:
                community_approve(community=community, actor=request.user, message=message)
                messages.success(request, _("« %(name)s » est ouverte.") % {"name": community})
            else:
                community_refuse(community=community, actor=request.user, message=message)
                messages.success(
                    request, _("« %(name)s » est refusée (archivée).") % {"name": community}
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("wagtailsnippets_communities_community:list"))
    return TemplateResponse(
        request,
        "communities/admin/decide.html",
        {"community": community, "form": form},
    )


urlpatterns = [path("propositions/<int:community_id>/", decide, name="decide")]
