"""Every CSV, XLSX and ODS export of the platform is written here, safe to open in a spreadsheet.

A cell whose text starts with =, +, -, @, a tab or a carriage return is read by Excel or LibreOffice
as a formula (« formula injection »): a dossier's name typed as `=HYPERLINK("http://…")` would run
on the agent's computer. Such text gets a leading apostrophe, which spreadsheets show as plain text;
numbers stay numbers. Each export is written to the audit log with who downloaded it and from where.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import tablib
from django.db import models
from django.http import HttpRequest, HttpResponse

from capqvct.core.services import record_event

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet will show it, never run it: text that would start a formula is
    prefixed with an apostrophe; numbers, dates and empty cells are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet(
    rows: Iterable[Sequence[Any]], *, headers: Sequence[str], title: str, export_format: str
) -> bytes:
    """The rows as a CSV (semicolons and a BOM, for a French Excel), XLSX or ODS file."""
    dataset = tablib.Dataset(
        *[[neutralise(value) for value in row] for row in rows], headers=[neutralise(h) for h in headers]
    )
    dataset.title = title[:31]
    if export_format == "csv":
        # The BOM and the semicolon let a French Excel open the file with its accents and columns.
        return ("\ufeff" + dataset.export("csv", delimiter=";")).encode()
    return dataset.export(export_format)


def export_response(
    rows: Sequence[Sequence[Any]],
    *,
    headers: Sequence[str],
    title: str,
    export_format: str,
    file_stem: str,
    request: HttpRequest,
    target: models.Model,
) -> HttpResponse:
    """The export as a download, written to the audit log (`export_downloaded`) with the reader's IP."""
    content = spreadsheet(rows, headers=headers, title=title, export_format=export_format)
    record_event(
        action="export_downloaded",
        actor=request.user,
        target=target,
        details={"title": title, "format": export_format, "rows": len(rows)},
        request=request,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{file_stem}.{export_format}"'
    return response
