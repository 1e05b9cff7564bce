"""Readers: turn a partner's file or feed into records (row number + a dict).

Formats: CSV (delimiter and encoding detected), XLSX (openpyxl), JSON (an array, or
an array wrapped in an object), JSON-LD-like records (nested values are read by the
mapping with dotted paths), GeoJSON, and paginated JSON HTTP APIs.

A file that cannot be read as a whole — undecodable, binary, truncated — is refused
with a French message (``ImportFileError``); a single malformed CSV line becomes a
record carrying ``__erreur__`` so that the run reports it with its row number and
the good rows still go in.

Why not pandas or clevercsv: the stdlib ``csv`` module reads every dialect partners
send; what it lacks is a *choice* between candidates, which we make by checking that
every line splits into the header's number of columns (``csv.Sniffer`` guesses from
the first kilobytes only and picks wrong delimiters on free text full of commas).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from .base import FORMATS, MAX_BYTES, ImportFileError, ReadResult, Record
from .delimited import _read_csv
from .http import read_http_json
from .structured import _read_json
from .workbook import _read_xlsx

__all__ = [
    "ImportFileError",
    "ReadResult",
    "Record",
    "read_bytes",
    "read_http_json",
    "read_path",
]


def _guess_format(content: bytes, filename: str) -> str:
    suffix = Path(filename.split("?")[0]).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("geojson",):
        return "geojson"
    if suffix in ("json", "jsonld"):
        return "json"
    if suffix in ("csv", "tsv", "txt"):
        return "csv"
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"[", b"{"):
        return "json"
    return "csv"


def read_bytes(
    content: bytes, *, filename: str = "", format: str | None = None, items_path: str | None = None
) -> ReadResult:
    """Read a whole file; ``format`` (csv, xlsx, json, geojson) overrides detection."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("Le fichier dépasse 200 Mo."))
    if not content.strip():
        raise ImportFileError(_("Le fichier est vide."))
    kind = (format or "").lower() or _guess_format(content, filename)
    if kind not in FORMATS:
        raise ImportFileError(_("Format inconnu : %(format)s.") % {"format": kind})
    if kind == "xlsx":
        return _read_xlsx(content)
    if kind in ("json", "geojson"):
        return _read_json(content, items_path=items_path, geojson=kind == "geojson")
    return _read_csv(content)


def read_path(path: Path | str, *, format: str | None = None, items_path: str | None = None):
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(
            _("Fichier introuvable : %(path)s (%(error)s).") % {"path": path, "error": exc}
        ) from None
    if size > MAX_BYTES:
        raise ImportFileError(_("Le fichier dépasse 200 Mo."))
    return read_bytes(path.read_bytes(), filename=path.name, format=format, items_path=items_path)
