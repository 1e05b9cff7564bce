"""CSV: delimiter and encoding detected, truncated files refused, short rows padded,
long rows reported as row errors."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from .base import DELIMITERS, ImportFileError, ReadResult, Record, _decode


def _split(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))


def _score(rows: list[list[str]]) -> tuple[int, int]:
    """How well a delimiter explains the sample: rows matching the header's width."""
    if not rows or len(rows[0]) < 2:
        return (0, 0)
    width = len(rows[0])
    body = [r for r in rows[1:] if r]
    matching = sum(1 for r in body if len(r) == width)
    return (matching if body else 1, width)


def _detect_delimiter(text: str) -> str:
    sample_end = -1
    lines = 0
    position = 0
    # a sample of ~200 lines, cut on a line boundary (quoted line breaks may cut a
    # record in two: the scores only compare delimiters, they need not be exact)
    while lines < 200 and position != -1:
        position = text.find("\n", position + 1)
        lines += 1
        sample_end = position
    sample = text if sample_end == -1 else text[:sample_end]
    best, best_score = "", (0, 0)
    for delimiter in DELIMITERS:
        score = _score(_split(sample, delimiter))
        if score > best_score:
            best, best_score = delimiter, score
    if not best:
        raise ImportFileError(
            _(
                "Impossible de trouver le séparateur des colonnes (virgule, point-virgule, "
                "tabulation ou barre verticale) : la première ligne doit nommer les colonnes."
            )
        )
    return best


def _check_complete(text: str, delimiter: str) -> None:
    """Refuse a file that really ends mid-record: inside an open quote (an
    interrupted download or a cut copy). A row with fewer cells than the header is
    no sign of it: spreadsheet exports drop the empty cells at the end of a row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _row in reader:
            pass
    except csv.Error as exc:
        # An odd number of quotes: one was opened and never closed.
        if "end of data" in str(exc) or "EOF" in str(exc) or text.count('"') % 2:
            raise ImportFileError(
                _(
                    "Le fichier est tronqué (un guillemet ouvert n'est jamais fermé, ligne "
                    "%(line)s) : rien n'a été importé. Exportez-le de nouveau en entier."
                )
                % {"line": reader.line_num}
            ) from None
        # A closing quote followed by text: a cut quoted field, or a broken export.
        raise ImportFileError(
            _(
                "Le fichier semble tronqué ou mal formé (%(error)s, vers la ligne %(line)s) : "
                "rien n'a été importé. Exportez-le de nouveau en entier."
            )
            % {"error": exc, "line": reader.line_num}
        ) from None


def _read_csv(content: bytes) -> ReadResult:
    text, encoding = _decode(content)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError(_("Le fichier est vide."))
    delimiter = _detect_delimiter(text)
    _check_complete(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (« a;b;c; »)
    if len(set(header)) != len(header):
        duplicates = sorted({h for h in header if header.count(h) > 1})
        raise ImportFileError(
            _("Colonnes en double dans l'en-tête : %(columns)s.")
            % {"columns": ", ".join(duplicates or ["(vide)"])}
        )
    records = []
    for values in reader:
        row = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        extra = values[len(header) :]
        # A short row reads as padded with empty cells; a long one is a row error,
        # unless its extra cells are empty.
        data = dict(zip(header, values, strict=False))
        for name in header[len(values) :]:
            data[name] = ""
        if any(v.strip() for v in extra):
            data["__erreur__"] = _(
                "ligne mal formée : %(found)s colonnes au lieu de %(expected)s"
            ) % {"found": len(values), "expected": len(header)}
        records.append(Record(row=row, data=data))
    return ReadResult(
        records=records, format="csv", encoding=encoding, delimiter=delimiter, columns=header
    )
