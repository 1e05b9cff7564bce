"""What every reader shares: the records it gives, the error that refuses a whole
file, and text decoding."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_BYTES = 200 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
FORMATS = ("csv", "xlsx", "json", "geojson")


class ImportFileError(ValueError):
    """The file or feed cannot be read as a whole; nothing is imported."""


@dataclass
class Record:
    row: int  # the row (CSV/XLSX line, counting the header as 1) or item number (JSON, from 1)
    data: dict


@dataclass
class ReadResult:
    records: list[Record]
    format: str
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)


def _columns(records: list[Record]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        for key in record.data:
            if not key.startswith("__"):
                seen.setdefault(key, None)
    return list(seen)


def _decode(content: bytes) -> tuple[str, str]:
    if b"\x00" in content[:65536]:
        raise ImportFileError(
            _(
                "Ce fichier n'est pas un texte lisible (contenu binaire) : envoyez un CSV, "
                "un classeur XLSX ou un JSON."
            )
        )
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "latin-1" and any("\x80" <= ch <= "\x9f" for ch in text):
            break  # control characters: not a text in any encoding we know
        if encoding == "utf-8-sig" and not content.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise ImportFileError(
        _(
            "Encodage du fichier non reconnu : enregistrez-le en UTF-8 (ou Windows-1252) "
            "puis renvoyez-le."
        )
    )
