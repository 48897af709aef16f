"""Reading a spreadsheet into its columns (named by their header) and numbered, non-blank lines.

The readers are those tablib builds on (csv, openpyxl, odfpy), called directly because tablib's own
import loses what a report needs: it drops blank rows (the line numbers shift), refuses rows longer
than the header, and reads the empty cells LibreOffice writes as one repeated cell as a single cell,
which moves the next values into the wrong columns (jazzband/tablib#616).
"""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from capqvct.applications.attachments import OLE_MAGIC
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import NBSP, format_number

MAX_FILE_SIZE_MB = 5
MAX_LINES = 5_000
MAX_COLUMNS = 500
# A 5 MB zip may hold far more once inflated; beyond this it is not an export of dossiers.
MAX_UNZIPPED_SIZE = 100 * 1024 * 1024
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
FORMATS = "CSV, XLSX (Excel) ou ODS (LibreOffice)"
NOT_A_SHEET = f"Ce fichier n’est pas un tableur lisible{NBSP}: déposez un fichier {FORMATS}."


@dataclass(frozen=True)
class Line:
    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Sheet:
    columns: tuple[str, ...]
    lines: tuple[Line, ...]


def read_sheet(content: bytes) -> Sheet:
    """The columns (named by their header) and the non-blank lines; a Refusal says, in French, why not."""
    if not content:
        raise Refusal("Ce fichier est vide.", field="file")
    if len(content) > MAX_FILE_SIZE_MB * 1024 * 1024:
        raise Refusal(
            f"Le fichier dépasse {MAX_FILE_SIZE_MB}{NBSP}Mo{NBSP}: découpez-le en plusieurs imports.",
            field="file",
        )
    if content.startswith(OLE_MAGIC):
        raise Refusal(
            "Les classeurs Excel 97-2003 (.xls) ne sont pas pris en charge : enregistrez-le au format "
            "XLSX, ODS ou CSV.",
            field="file",
        )
    rows = _read_zipped(content) if content.startswith(b"PK\x03\x04") else _read_csv(content)
    return _sheet(rows)


def _sheet(rows: list[tuple[int, list[Any]]]) -> Sheet:
    if not rows or rows[0][0] != 1:
        raise Refusal("La première ligne du tableur doit contenir les intitulés des colonnes.", field="file")
    data = rows[1:]
    if not data:
        raise Refusal("Ce tableur ne contient aucune ligne de dossier sous ses intitulés.", field="file")
    if len(data) > MAX_LINES:
        raise Refusal(
            f"Ce tableur compte plus de {format_number(MAX_LINES)}{NBSP}lignes : découpez-le en plusieurs "
            "imports.",
            field="file",
        )
    width = max(len(cells) for _, cells in rows)
    headers = rows[0][1] + [None] * (width - len(rows[0][1]))
    columns = _column_names(headers)
    lines = tuple(
        Line(number=number, cells={columns[index]: value for index, value in enumerate(cells)})
        for number, cells in data
    )
    return Sheet(columns=tuple(columns), lines=lines)


def _column_names(headers: list[Any]) -> list[str]:
    """Each header as written; a blank or repeated one is told apart by its column letter."""
    names: list[str] = []
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        text = as_text(header).replace("\n", " ")
        name = text or f"Colonne {letter}"
        if name in names:
            name = f"{text} (colonne {letter})"
        names.append(name)
    return names


def _kept(number: int, values: list[Any], rows: list[tuple[int, list[Any]]]) -> None:
    """Keep a line unless it is blank; stop reading as soon as the sheet is too long."""
    values = [None if isinstance(v, str) and not v.strip() else v for v in values[:MAX_COLUMNS]]
    while values and values[-1] is None:
        values.pop()
    if values:
        rows.append((number, values))
    if len(rows) > MAX_LINES + 1:
        raise Refusal(
            f"Ce tableur compte plus de {format_number(MAX_LINES)}{NBSP}lignes : découpez-le en plusieurs "
            "imports.",
            field="file",
        )


def _read_csv(content: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(content)
    if "\x00" in text:
        raise Refusal(NOT_A_SHEET, field="file")
    delimiter = _delimiter(text)
    rows: list[tuple[int, list[Any]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        # A quoted cell may span several text lines: a record is one line of the spreadsheet.
        for number, record in enumerate(reader, start=1):
            _kept(number, list(record), rows)
    except csv.Error:
        raise Refusal(NOT_A_SHEET, field="file") from None
    return rows


def _decode(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), UTF-16 (Excel's « texte Unicode »), else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """The separator that cuts the header into the most columns; French Excel's « ; » on a tie."""
    head = text[:65_536]
    counts = {
        delimiter: len(next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), []))
        for delimiter in (";", ",", "\t")
    }
    return max(counts, key=lambda delimiter: counts[delimiter])


def _read_zipped(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_SIZE:
            raise Refusal(NOT_A_SHEET, field="file")
        if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            return _read_ods(content)
        if "xl/workbook.xml" in names:
            return _read_xlsx(content)
    except Refusal:
        raise
    except Exception:  # a damaged file can make the zip or XML parsers raise almost anything
        raise Refusal(NOT_A_SHEET, field="file") from None
    raise Refusal(NOT_A_SHEET, field="file")


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.active
    # Some tools write a wrong « used range »; read what the sheet really holds.
    sheet.reset_dimensions()
    rows: list[tuple[int, list[Any]]] = []
    # Missing rows come as empty tuples and cells in their own column: numbers stay those of the sheet.
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        _kept(number, list(values), rows)
    workbook.close()
    return rows


def _read_ods(content: bytes) -> list[tuple[int, list[Any]]]:
    from odf import opendocument, table

    document = opendocument.load(io.BytesIO(content))
    sheets = document.spreadsheet.getElementsByType(table.Table)
    if not sheets:
        raise Refusal(NOT_A_SHEET, field="file")
    rows: list[tuple[int, list[Any]]] = []
    number = 0
    for row in sheets[0].getElementsByType(table.TableRow):
        values: list[Any] = []
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            repeat = min(int(cell.getAttribute("numbercolumnsrepeated") or 1), MAX_COLUMNS - len(values))
            values.extend([_ods_value(cell)] * max(repeat, 0))
        repeat = int(row.getAttribute("numberrowsrepeated") or 1)
        if all(value is None for value in values):
            number += repeat  # blank rows, often a million of them at the end of the sheet
            continue
        for _ in range(min(repeat, MAX_LINES + 2)):
            number += 1
            _kept(number, values, rows)
    return rows


def _ods_value(cell) -> Any:
    from odf import teletype, text

    value_type = cell.getAttribute("valuetype")
    if value_type in ("float", "percentage", "currency"):
        return float(cell.getAttribute("value"))
    if value_type == "boolean":
        return cell.getAttribute("booleanvalue") == "true"
    if value_type == "date":
        value = cell.getAttribute("datevalue")
        return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    paragraphs = cell.getElementsByType(text.P)
    content = "\n".join(teletype.extractText(paragraph) for paragraph in paragraphs)
    return content or None


def as_text(value: Any) -> str:
    """A cell as a person reads it in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("\r\n", "\n").strip()
