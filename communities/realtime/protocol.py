"""Reading the client's frames of protocol v1 (docs/realtime.md): size, JSON, type,
fields. Every fault is a ``ProtocolError`` whose code and French sentence become an
``error`` frame; the socket stays open."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

FRAME_MAX_BYTES = 64 * 1024

CLIENT_TYPES = (
    "subscribe",
    "unsubscribe",
    "send",
    "edit",
    "delete",
    "react",
    "typing",
    "read",
    "report",
    "ping",
)


@dataclass
class ProtocolError(Exception):
    code: str
    message: str
    client_id: object = None


def parse(text: str | None, binary: bytes | None) -> dict:
    """The frame as a dict with a known ``type``, or a ProtocolError."""
    if text is None:
        raise ProtocolError(
            "malformed", _("Trame refusée : le protocole n'accepte que du texte JSON.")
        )
    if len(text.encode("utf-8", "surrogatepass")) > FRAME_MAX_BYTES:
        raise ProtocolError(
            "frame_too_large",
            _("Trame refusée : %(n)d ko au plus.") % {"n": FRAME_MAX_BYTES // 1024},
        )
    try:
        frame = json.loads(text)
    except ValueError:
        raise ProtocolError(
            "malformed", _("Trame refusée : ce n'est pas du JSON valide.")
        ) from None
    if not isinstance(frame, dict):
        raise ProtocolError("malformed", _("Trame refusée : un objet JSON est attendu."))
    client_id = frame.get("client_id") if isinstance(frame.get("client_id"), str) else None
    kind = frame.get("type")
    if not isinstance(kind, str) or not kind:
        raise ProtocolError("malformed", _("Trame refusée : le champ « type » manque."), client_id)
    if kind not in CLIENT_TYPES:
        raise ProtocolError(
            "unknown_type",
            _("Trame refusée : type « %(type)s » inconnu.") % {"type": kind[:40]},
            client_id,
        )
    return frame


def int_field(frame: dict, name: str, *, required: bool = True, minimum: int = 0) -> int | None:
    """An integer field (booleans are not integers here)."""
    value = frame.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProtocolError(
            "invalid",
            _("Trame refusée : « %(field)s » doit être un entier positif.") % {"field": name},
            frame.get("client_id") if isinstance(frame.get("client_id"), str) else None,
        )
    return value
