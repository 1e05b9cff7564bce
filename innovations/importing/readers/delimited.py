"""CSV: delimiter and encoding detected, truncated files refused, malformed lines
reported as row errors."""

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
    """Refuse a file cut short: an unterminated quote, or a last line shorter than
    the header that does not end with a line break (an interrupted download)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(
            _(
                "Le fichier semble tronqué ou mal formé (%(error)s, vers la ligne %(line)s) : "
                "rien n'a été importé. Exportez-le de nouveau en entier."
            )
            % {"error": exc, "line": reader.line_num}
        ) from None
    if text.count('"') % 2:
        raise ImportFileError(
            _(
                "Le fichier est tronqué (un guillemet ouvert n'est jamais fermé) : rien n'a "
                "été importé. Exportez-le de nouveau en entier."
            )
        )
    if (
        len(rows) > 1
        and not text.endswith(("\n", "\r"))
        and rows[-1]
        and len(rows[-1]) < len(rows[0])
    ):
        raise ImportFileError(
            _(
                "Le fichier est tronqué : sa dernière ligne s'arrête au milieu "
                "(%(found)s colonnes sur %(expected)s) : rien n'a été importé. "
                "Exportez-le de nouveau en entier."
            )
            % {"found": len(rows[-1]), "expected": len(rows[0])}
        )


def _read_csv(content: bytes) -> ReadResult:
    text, encoding = _decode(content)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError(_("Le fichier est vide."))
    delimiter = _detect_delimiter(text)
    _check_complete(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    if len(set(header)) != len(header):
        duplicates = sorted({h for h in header if header.count(h) > 1})
        raise ImportFileError(
            _("Colonnes en double dans l'en-tête : %(columns)s.")
            % {"columns": ", ".join(duplicates)}
        )
    records = []
    for values in reader:
        row = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        data = dict(zip(header, values, strict=False))
        if len(values) != len(header):
            data["__erreur__"] = _(
                "ligne mal formée : %(found)s colonnes au lieu de %(expected)s"
            ) % {"found": len(values), "expected": len(header)}
        records.append(Record(row=row, data=data))
    return ReadResult(
        records=records, format="csv", encoding=encoding, delimiter=delimiter, columns=header
    )
