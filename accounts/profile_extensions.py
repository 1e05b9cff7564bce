"""What other apps add to the profile screens, registered from their AppConfig.ready().

``accounts`` sits below every app (issue 11): it imports none of them. Yet a
profile shows the projects of its member, and the profile form offers territories
and themes, which belong to ``innovations``. So that app registers here:

- field setups, ``setup(field)``: called by the profile form on its field of that
  name (choices, queryset), e.g. the home-territory select;
- public profile sections, ``section(*, user_id, viewer) -> dict``: merged into the
  context of the public profile page, e.g. ``{"projects": [...]}``.

The profile model still names two models of ``innovations`` (``home_territory``,
``interests``, lazy relations by name): a data dependency this registry cannot
remove — see README « Architecture ».
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

FieldSetup = Callable[[forms.Field], None]
ProfileSection = Callable[..., dict[str, Any]]

_field_setups: dict[str, FieldSetup] = {}
_sections: dict[str, ProfileSection] = {}


def register_field_setup(field_name: str, setup: FieldSetup) -> None:
    _field_setups[field_name] = setup


def register_profile_section(name: str, section: ProfileSection) -> None:
    _sections[name] = section


def field_setups() -> dict[str, FieldSetup]:
    return dict(_field_setups)


def profile_sections_context(*, user_id: int, viewer) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for section in _sections.values():
        context.update(section(user_id=user_id, viewer=viewer))
    return context
