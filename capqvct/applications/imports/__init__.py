"""Dossiers imported in bulk from a spreadsheet (CSV, XLSX, ODS): read, map the columns, preview, import.

Each line of the sheet becomes a dossier received by import and dated by its receipt. It goes through
the same services as a dossier received by e-mail (recorded, filled in, submitted), in its own
transaction: a failing line is rolled back and reported with its number as the spreadsheet shows it
(the header is line 1), the other lines are imported.

| module | holds |
|---|---|
| `sheets.py` | reading a CSV, XLSX or ODS file into columns and numbered lines |
| `mapping.py` | what a column can fill (`import_targets`), the mapping and its first guess |
| `cells.py` | a cell converted into the answer format of each kind of question |
| `batches.py` | the use cases: `upload_batch`, `save_mapping`, `preview_batch`, `import_batch` |
"""

from capqvct.applications.imports.batches import (
    LineOutcome,
    Preview,
    import_batch,
    preview_batch,
    save_mapping,
    sheet_of,
    upload_batch,
)
from capqvct.applications.imports.cells import convert
from capqvct.applications.imports.mapping import (
    Mapping,
    Target,
    guess_mapping,
    import_targets,
    left_for_later,
    normalized,
)
from capqvct.applications.imports.sheets import MAX_FILE_SIZE_MB, MAX_LINES, Line, Sheet, read_sheet

__all__ = [
    "MAX_FILE_SIZE_MB",
    "MAX_LINES",
    "Line",
    "LineOutcome",
    "Mapping",
    "Preview",
    "Sheet",
    "Target",
    "convert",
    "guess_mapping",
    "import_batch",
    "import_targets",
    "left_for_later",
    "normalized",
    "preview_batch",
    "read_sheet",
    "save_mapping",
    "sheet_of",
    "upload_batch",
]
