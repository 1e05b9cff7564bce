"""Kinds of notification for these tests, registered the way apps do it, on a copy of
an empty copy of the registry (other apps' kinds left out, so that counts are these
tests' own), so that nothing leaks into other tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from notifications import kinds as registry
from notifications.kinds import Delivery


@pytest.fixture(autouse=True)
def kinds(monkeypatch):
    monkeypatch.setattr(registry, "_kinds", {})
    return SimpleNamespace(
        request=registry.register_kind(
            "essai.demande", "Demandes d'adhésion à valider", default=Delivery.IMMEDIATE
        ),
        event=registry.register_kind("essai.evenement", "Nouveaux événements"),
    )


@pytest.fixture
def send(db):
    """notification_send with a title by default."""
    from notifications.services import notification_send

    def send_(*, recipient, kind="essai.demande", title="Nouvelle demande d'adhésion", **kw):
        return notification_send(recipient=recipient, kind=kind, title=title, **kw)

    return send_
