"""The kinds of notification, registered by the apps that send them.

An app declares each kind once, from its ``AppConfig.ready()``::

    from notifications.kinds import Delivery, register_kind

    register_kind("community.request", _("Demandes d'adhésion à valider"),
                  default=Delivery.IMMEDIATE)

``notifications`` never imports the apps above it: it only reads this registry (the
preferences page lists every kind, ``notification_send`` refuses an unknown one).

Codes are ``<app>.<event>``: lower-case ASCII words (letters, digits, ``_``) joined
by dots, e.g. ``community.invitation``, ``messaging.mention``. They are stored with
each notification and preference, so a code never changes once used; the label may.

This module imports no model, so an app may import it at the top of its ``apps.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CODE_MAX_LENGTH = 64
# The preference stored for « every kind », those registered later included (the
# « se désabonner de tout » link): a choice for one kind still wins over it.
ALL_KINDS = "*"
_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


class Delivery(models.TextChoices):
    """How a member wants to receive a kind by e-mail; in-app is always on."""

    IMMEDIATE = "immediate", _("Un e-mail à chaque notification")
    DIGEST = "digest", _("Un résumé quotidien par e-mail")
    NEVER = "never", _("Aucun e-mail (seulement sur le site)")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    default: Delivery


_kinds: dict[str, Kind] = {}


def register_kind(code: str, label: str | Promise, *, default: Delivery = Delivery.DIGEST) -> Kind:
    """Declare a kind of notification. ``label`` is French, lazy (gettext_lazy): the
    preferences page shows it. ``default`` is the e-mail delivery of members who did
    not choose (immediately for what awaits an answer, a digest for the rest).

    Registering the same code again replaces it (an app reloaded by a test)."""
    if len(code) > CODE_MAX_LENGTH or not _CODE.fullmatch(code):
        raise ValueError(
            f"Invalid notification kind code {code!r}: expected '<app>.<event>', lower-case "
            f"letters, digits and '_' joined by dots, at most {CODE_MAX_LENGTH} characters."
        )
    kind = Kind(code=code, label=label, default=Delivery(default))
    _kinds[code] = kind
    return kind


def kind_get(code: str) -> Kind | None:
    return _kinds.get(code)


def kinds() -> list[Kind]:
    """Every registered kind, in registration order (INSTALLED_APPS order)."""
    return list(_kinds.values())
