"""Account pages: personal space, profile editing, data download, deletion,
public profile. Views parse input, call services/selectors, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import profile_extensions, selectors, services
from .forms import DeleteAccountForm, ProfileForm


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = services.profile_ensure(user=request.user)
    return render(request, "accounts/dashboard.html", {"profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = services.profile_ensure(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            fields = {
                name: form.cleaned_data[name] for name in form.Meta.fields if name != "interests"
            }
            try:
                services.profile_update(
                    user=request.user,
                    fields=fields,
                    interests=form.cleaned_data.get("interests"),
                    avatar=services.AvatarChange(
                        upload=form.cleaned_data.get("avatar_upload"),
                        remove=form.cleaned_data.get("remove_avatar", False),
                    ),
                )
            except ValidationError as exc:
                form.add_error("avatar_upload", exc)
            else:
                messages.success(request, _("Votre profil a été enregistré."))
                return redirect("accounts:profile_edit")
    else:
        form = ProfileForm(instance=profile)
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    data = services.personal_data_export(user=request.user)
    filename = f"carrefour-mes-donnees-{timezone.localdate().isoformat()}.json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, user=request.user)
        if form.is_valid():
            services.account_delete(user=request.user)
            logout(request)
            messages.success(request, _("Votre compte a été supprimé. Au revoir !"))
            return redirect("/")
    else:
        form = DeleteAccountForm(user=request.user)
    return render(request, "accounts/account_delete.html", {"form": form})


def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = selectors.profile_visible(user_id=user_id, viewer=request.user)
    if profile is None:
        raise Http404(_("Ce profil n'existe pas ou n'est pas public."))
    # Sections of other apps (the member's projects): accounts/profile_extensions.py.
    sections = profile_extensions.profile_sections_context(user_id=user_id, viewer=request.user)
    return render(request, "accounts/profile_detail.html", {"profile": profile, **sections})
