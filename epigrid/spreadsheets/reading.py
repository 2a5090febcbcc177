"""Opening the files villages send: .xlsx/.xlsm through the streaming reader in `xlsx`,
.xls/.ods/.xlsb through python-calamine, .csv and tab-separated text through Python's csv
module.

`open_sheet` refuses, with a message a person can act on, a file that is empty, damaged,
password-protected or not a spreadsheet at all. It decides by the bytes, not the name: a
workbook saved as .xls but really .xlsx opens fine, a photo renamed .xlsx does not.

Rows are handed out one at a time with the row number Excel shows. An .xlsx is read as a
stream (memory flat in the number of rows); python-calamine parses a whole sheet into its own
(Rust) cell grid before the first row is read, which is fine for .xls (65,536 rows at most)
and the rare .ods.
"""

import codecs
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.utils.translation import gettext as _

from .values import is_blank
from .xlsx import NotXlsx, Workbook, XlsxError

Source = str | os.PathLike[str] | bytes | IO[bytes]
Row = tuple[int, list[Any]]  # (row number as Excel shows it, cells from column A)

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm, .ods
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: .xls, or an encrypted .xlsx
# An encrypted .xlsx is a compound file with this stream (named in UTF-16LE in its directory)
# instead of a workbook: MS-OFFCRYPTO 2.3.4.
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
TEXT_SUFFIXES = {"", ".csv", ".txt", ".tsv"}
_NOT_SPREADSHEET_MAGIC = (
    b"\x89PNG",
    b"%PDF",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",  # gzip
    b"BM",
    b"RIFF",
)
_CHUNK = 1 << 20


class SpreadsheetError(Exception):
    """A file that cannot be imported as it is; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def empty_file() -> SpreadsheetError:
    return SpreadsheetError(_("The file is empty."))


def no_data() -> SpreadsheetError:
    return SpreadsheetError(_("The file has no data: every sheet is empty."))


def damaged() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file is damaged or incomplete and cannot be read. Open it in Excel or WPS, "
            "save it again as .xlsx and upload that."
        )
    )


def encrypted() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file is protected by a password. Open it in Excel or WPS, remove the "
            "password, save it and upload it again."
        )
    )


def not_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(
        _("This file is not a spreadsheet. Upload an .xlsx, .xls, .ods or .csv file.")
    )


@dataclass
class Sheet:
    """The one sheet an import reads: its name, the number of its last row, and its rows."""

    name: str
    _last_row: int | Callable[[], int] = field(repr=False)
    _rows: Callable[[], Iterator[Row]] = field(repr=False)

    @property
    def last_row(self) -> int:
        """The number of the sheet's last row with data. For an .xlsx this reads the whole
        sheet once (cheaply: row tags only), which also proves it is not damaged."""
        if callable(self._last_row):
            self._last_row = self._last_row()
        return self._last_row

    def rows(self) -> Iterator[Row]:
        """(row number, cells) for every row from row 1 down, blank rows included; cells
        start at column A, so cell index 2 is column C."""
        return self._rows()


def open_sheet(source: Source, filename: str = "") -> Sheet:
    """The first sheet that holds data. `filename` (or the path's own name) only decides
    whether a plain-text file may be read as CSV."""
    opener = _opener(source)
    if not filename and isinstance(source, str | os.PathLike):
        filename = os.fspath(source)
    with opener() as f:
        head = f.read(4096)
    if not head:
        raise empty_file()
    if head.startswith((ZIP_MAGIC, CFB_MAGIC)):
        return _workbook_sheet(opener, compound=head.startswith(CFB_MAGIC))
    # Text is read as CSV only under a text name: a web page saved as "报表.xls" is refused.
    suffix = Path(filename).suffix.lower()
    if head.startswith(_NOT_SPREADSHEET_MAGIC) or suffix not in TEXT_SUFFIXES:
        raise not_spreadsheet()
    return _csv_sheet(opener, head)


Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def _opener(source: Source) -> Opener:
    """A way to (re)open the source from its first byte: CSV is read more than once."""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise SpreadsheetError(_("The file was not found."))
        return lambda: open(path, "rb")  # the caller's `with` closes it
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return lambda: nullcontext(io.BytesIO(data))
    stream: IO[bytes] = source
    if not (hasattr(stream, "seekable") and stream.seekable()):
        spooled = tempfile.SpooledTemporaryFile(max_size=_CHUNK * 8)  # noqa: SIM115
        shutil.copyfileobj(stream, spooled, _CHUNK)
        stream = spooled  # type: ignore[assignment]

    @contextmanager
    def rewound() -> Iterator[IO[bytes]]:
        stream.seek(0)
        yield stream

    return rewound


# --- workbooks ------------------------------------------------------------------------------


def _workbook_sheet(opener: Opener, compound: bool) -> Sheet:
    if not compound:
        try:
            return _xlsx_sheet(Workbook(opener))
        except NotXlsx:
            pass  # an .ods or an .xlsb: python-calamine reads those
        except XlsxError as exc:
            raise damaged() from exc
    try:
        with opener() as f:
            book = python_calamine.CalamineWorkbook.from_filelike(f)
    except python_calamine.PasswordError as exc:
        raise encrypted() from exc
    except Exception as exc:  # calamine raises several types for one cause: unreadable bytes
        if compound and _has_encrypted_stream(opener):
            raise encrypted() from exc
        raise damaged() from exc
    try:
        return _first_sheet_with_data(book)
    except SpreadsheetError:
        raise
    except python_calamine.PasswordError as exc:
        raise encrypted() from exc
    except Exception as exc:
        raise damaged() from exc


def _xlsx_sheet(book: Workbook) -> Sheet:
    # Visible worksheets first: a hidden sheet is usually a lookup list, not the register.
    for info in sorted(book.sheets, key=lambda s: s.hidden):
        sheet = book.sheet(info)
        rows = _xlsx_rows(sheet)
        try:
            has_data = next(rows, None) is not None  # stops at the first row with data
        finally:
            rows.close()
        if has_data:
            return Sheet(
                name=info.name,
                _last_row=partial(_xlsx_last_row, sheet),
                _rows=partial(_xlsx_rows, sheet),
            )
    raise no_data()


def _xlsx_rows(sheet: Any) -> Generator[Row, None, None]:
    try:
        yield from sheet.rows()
    except XlsxError as exc:
        raise damaged() from exc


def _xlsx_last_row(sheet: Any) -> int:
    try:
        return sheet.last_row()
    except XlsxError as exc:
        raise damaged() from exc


def _has_encrypted_stream(opener: Opener) -> bool:
    tail = b""
    with opener() as f:
        while chunk := f.read(_CHUNK):
            if ENCRYPTED_STREAM in tail + chunk:
                return True
            tail = chunk[-len(ENCRYPTED_STREAM) :]
    return False


def _first_sheet_with_data(book: Any) -> Sheet:
    # Visible worksheets first: a hidden sheet is usually a lookup list, not the register.
    candidates = [
        (meta.visible != python_calamine.SheetVisibleEnum.Visible, index)
        for index, meta in enumerate(book.sheets_metadata)
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    for _hidden, index in sorted(candidates):
        sheet = book.get_sheet_by_index(index)
        if sheet.start is not None and sheet.height:
            return Sheet(
                name=sheet.name,
                _last_row=sheet.end[0] + 1,
                _rows=partial(_calamine_rows, book, sheet),
            )
    raise no_data()


def _calamine_rows(book: Any, sheet: Any) -> Iterator[Row]:
    # `book` is kept referenced so the workbook outlives the iteration.
    start_row, start_col = sheet.start
    padding = [""] * start_col
    rows = sheet.iter_rows()
    first = next(rows, None)
    if first is None:
        return
    # python-calamine 0.9 starts iter_rows at row 1 even when the data starts lower, but at the
    # first column with data (its issue #177); a release that starts at the first data row would
    # hand out a first row with data in it, which by definition a row above the data never has.
    number = 1 if start_row > 0 and all(is_blank(c) for c in first) else start_row + 1
    yield number, padding + first if start_col else first
    for cells in rows:
        number += 1
        yield number, padding + cells if start_col else cells


# --- text files -------------------------------------------------------------------------------


def _csv_sheet(opener: Opener, head: bytes) -> Sheet:
    encoding = _text_encoding(opener, head)
    if encoding != "utf-16" and b"\x00" in head:
        raise not_spreadsheet()
    with opener() as f:
        sample = io.TextIOWrapper(f, encoding=encoding, errors="replace", newline="")
        try:
            lines = [line for _i, line in zip(range(20), sample, strict=False)]
        finally:
            sample.detach()  # leave the byte stream to the opener
    if not "".join(lines).strip():
        raise empty_file()
    delimiter = max(",\t;|", key=lambda d: sum(line.count(d) for line in lines))
    if not any(delimiter in line for line in lines):
        delimiter = ","

    def rows() -> Iterator[Row]:
        with opener() as f:
            text = io.TextIOWrapper(f, encoding=encoding, newline="")
            try:
                # Excel numbers CSV rows by record: a quoted cell with a line break stays one row.
                yield from enumerate(csv.reader(text, delimiter=delimiter), start=1)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise damaged() from exc
            finally:
                text.detach()

    last_row = 0
    has_data = False
    for number, cells in rows():
        last_row = number
        has_data = has_data or not all(is_blank(c) for c in cells)
    if not has_data:
        raise no_data()
    return Sheet(name="", _last_row=last_row, _rows=rows)


def _text_encoding(opener: Opener, head: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM (Excel's 'Unicode
    text'), else GB18030, the superset of the GBK that Chinese Excel writes by default."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with opener() as f:
                while chunk := f.read(_CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SpreadsheetError(
        _("The characters in this text file cannot be read. Save it as CSV UTF-8 and try again.")
    )
