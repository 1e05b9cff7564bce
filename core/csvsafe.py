"""CSV for spreadsheets, safe from formula injection (OWASP « CSV Injection »).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break
is run as a formula by Excel and LibreOffice (``=HYPERLINK(…)``, ``=cmd|…``). As
OWASP recommends, such text is prefixed with a single quote, which spreadsheets
show as text, and every cell is quoted with embedded quotes doubled (the csv
module's ``QUOTE_ALL``), so that a separator inside a value cannot start a new
cell. Numbers (int, float, Decimal) are written as they are: a number is never a
formula, and ``-4.48`` stays a longitude.

Every CSV download goes through ``csv_download`` (one path: the open data export,
the search export, the search statistics and the import reports): streamed, with a
byte-order mark so that spreadsheets read UTF-8, semicolons, formulas neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value):
    """One cell's value, neutralised when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _Echo:
    """A file-like object that hands each line back (streamed responses)."""

    def write(self, value: str) -> str:
        return value


class SafeCSVWriter:
    def __init__(self, stream=None, *, delimiter: str = ";"):
        self._writer = csv.writer(
            stream if stream is not None else _Echo(), delimiter=delimiter, quoting=csv.QUOTE_ALL
        )

    def writerow(self, row: Iterable):
        """Write one row; without a stream, return the line (to yield it)."""
        return self._writer.writerow([csv_safe(value) for value in row])


def csv_writer(stream=None, *, delimiter: str = ";") -> SafeCSVWriter:
    """A writer to ``stream`` (a response, a file) or, without one, whose
    ``writerow`` returns each encoded line for a ``StreamingHttpResponse``."""
    return SafeCSVWriter(stream, delimiter=delimiter)


def csv_download(rows: Iterable[Iterable], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV attachment of ``rows`` (the header first): nothing is held in
    memory, so 100,000 projects stream as well as ten."""
    writer = csv_writer()

    def lines():
        yield "\ufeff"  # BOM: spreadsheets open the file as UTF-8
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
