"""Site-wide form rendering: every form of ours renders through the accessible
templates in templates/components/ (labels, help and errors tied to their input,
an error summary at the top)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


SITE_FORM_RENDERER = SiteFormRenderer()


class SiteFormMixin:
    default_renderer = SITE_FORM_RENDERER


class SiteForm(SiteFormMixin, forms.Form):
    pass


class SiteModelForm(SiteFormMixin, forms.ModelForm):
    pass


class GroupedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes whose groups (e.g. theme domains) are fieldsets with a legend,
    rather than Django's unlabelled <label> headings."""

    template_name = "components/widgets/grouped_checkboxes.html"
