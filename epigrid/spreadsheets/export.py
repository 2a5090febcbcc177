"""Writing .xlsx: any list streamed to a workbook with constant memory, and the error report of
an import. Every text cell passes through `neutralise`, so nothing a person typed becomes a
formula when the file is opened (=HYPERLINK(...) in a name stays text)."""

import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from .models import ImportJob

# What Excel, WPS and LibreOffice take as the start of a formula (or of a DDE payload).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's limit for one cell


def neutralise(value: Any) -> Any:
    """A cell value that is safe to write: text starting like a formula gets a leading quote,
    control characters the xlsx format cannot hold are removed, and text is cut to the length
    one cell can hold. Numbers, dates and booleans pass unchanged."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: write local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date | dt.time):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text[:MAX_CELL_CHARS]


def write_xlsx(
    target: str | os.PathLike[str] | IO[bytes],
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "",
) -> int:
    """Writes the header and the rows (consumed one at a time: pass a generator or a
    queryset iterator for constant memory); returns the number of rows written."""
    book = Workbook(write_only=True)
    # Excel refuses these characters in a sheet name, and more than 31 characters.
    title = re.sub(r"[\[\]:*?/\\]", " ", str(sheet_title or _("Sheet1"))).strip()[:31]
    sheet = book.create_sheet(title=title or "Sheet1")
    for index, title in enumerate(header, start=1):
        # Wide enough for the header text; Chinese characters take two widths.
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(title)) + 4
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 60)
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=neutralise(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([neutralise(v) for v in row])
        count += 1
    book.save(target)
    return count


def errors_xlsx(job: "ImportJob") -> bytes:
    """The job's row errors as an .xlsx: row, column, value as typed, and the problem."""
    from .selectors import import_row_errors

    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [_("Row"), _("Column"), _("Value"), _("Problem")],
        ([e.row_number, e.column, e.value, e.message] for e in import_row_errors(job)),
        sheet_title=_("Errors"),
    )
    return buffer.getvalue()
