"""XLSX workbooks (openpyxl, read-only): the first sheet, its first row as header."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .base import ImportFileError, ReadResult, Record


def _read_xlsx(content: bytes) -> ReadResult:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("Classeur XLSX illisible ou tronqué (%(error)s) : rien n'a été importé.")
            % {"error": exc}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ImportFileError(_("Le fichier est vide."))
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and not header[-1]:
            header.pop()
        records = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            # Short rows read as padded with empty cells; cells beyond the header
            # that hold something make the row an error.
            data = {name: "" for name in header if name}
            data.update(
                {
                    name: ("" if value is None else value)
                    for name, value in zip(header, values, strict=False)
                    if name
                }
            )
            extra = [v for v in values[len(header) :] if v is not None and str(v).strip()]
            if extra:
                data["__erreur__"] = _(
                    "ligne mal formée : %(found)s colonnes au lieu de %(expected)s"
                ) % {"found": len(header) + len(extra), "expected": len(header)}
            records.append(Record(row=number, data=data))
    finally:
        workbook.close()
    return ReadResult(records=records, format="xlsx", columns=[h for h in header if h])
