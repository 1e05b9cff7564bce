"""Template helpers for accessible forms."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.simple_tag
def field_widget(field: forms.BoundField) -> str:
    """Render the widget with aria-describedby pointing at its help text and errors,
    and aria-invalid when it has errors (RGAA 11.10, 11.11)."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and not isinstance(
        field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect
    ):
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def error_count(form: forms.BaseForm) -> int:
    return sum(len(errors) for errors in form.errors.values())


@register.filter
def checked_count(options) -> int:
    """How many of a widget's options (one optgroup of ``widget.optgroups``) are
    checked: a theme domain with a checked theme is shown open."""
    return sum(1 for option in options if option.get("selected"))


@register.filter
def count_values(mapping) -> int:
    """The number of values in a mapping of lists, e.g. the active search filters."""
    try:
        return sum(len(values) for values in mapping.values())
    except (AttributeError, TypeError):
        return 0


@register.filter
def has_input(formset) -> bool:
    """Whether a row of a formset holds a value or an error: its folded group opens."""
    for form in formset.forms:
        if form.is_bound and form.errors:
            return True
        if any(field.value() not in (None, "", [], ()) for field in form):
            return True
    return False
