"""allauth adapter: a profile for every new account, sign-up switchable by setting."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from .services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            display_name = ""
            if form is not None and hasattr(form, "cleaned_data"):
                display_name = form.cleaned_data.get("display_name", "")
            profile_ensure(user=user, display_name=display_name)
        return user
