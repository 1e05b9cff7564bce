"""What the forms of the communities share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

MESSAGE_MAX = 2000


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on ``form``: per field when it names fields the form
    has, on the whole form otherwise."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
