"""A streaming reader of .xlsx/.xlsm worksheets: rows come out of the compressed sheet as it is
inflated, a megabyte of XML at a time, so memory stays flat however long the register is.

python-calamine (up to 0.9) parses a whole sheet into memory before handing out its first row:
about 1 KiB a row, 100 MiB for a 100,000-row register. Here the worksheet XML is read in
chunks cut at row ends; cells are picked out with one compiled pattern per row (the
scanning runs in C) and only their values are turned into Python objects. What stays in memory
is one chunk, the styles (which cells hold dates) and, for workbooks that keep their text in a
shared-strings table (Excel, WPS), that table: compact UTF-8 with an offset per string, so it
grows with the distinct strings of the file (names, ID numbers, phones: about 20 bytes a
string), never with Python objects per cell.

Values are what python-calamine gives for the same cells: numbers as float, text as str,
booleans, dates as date/datetime/time (timedelta for [h]:mm durations) where the cell's number
format shows a date or time, "" for an empty cell or a formula without a cached value.
Anything the fast patterns do not recognise (rich text, formulas, unusual attribute order,
namespace prefixes) goes through a slower, general path, never silently dropped.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree as ET

from .xlsx_parts import (
    CHUNK,
    NUMBER,
    NotXlsx,
    SharedStrings,
    XlsxError,
    _attr,
    _from_serial,
    _iso_date,
    _local,
    _read_styles,
    _rich_text,
    _text,
    _text_patterns,
)

__all__ = ["NotXlsx", "Workbook", "XlsxError", "XlsxSheet"]

Opener = Callable[[], AbstractContextManager[IO[bytes]]]
Row = tuple[int, list[Any]]

REL_DOC = "/officeDocument"
REL_WORKSHEET = "/worksheet"


# --- the package ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # path of the worksheet inside the zip
    hidden: bool


class Workbook:
    """The parts of an .xlsx that say what is where: its worksheets, styles and strings."""

    def __init__(self, opener: Opener) -> None:
        self.opener = opener
        try:
            with opener() as f, zipfile.ZipFile(f) as archive:
                names = set(archive.namelist())
                book_part = self._book_part(archive, names)
                rels = self._rels(archive, book_part, names)
                root = ET.fromstring(archive.read(book_part))  # noqa: S314
                self.date1904 = any(
                    _local(e.tag) == "workbookPr" and _attr(e, "date1904") in ("1", "true")
                    for e in root.iter()
                )
                self.sheets = []
                for element in root.iter():
                    if _local(element.tag) != "sheet":
                        continue
                    target = rels.get(_attr(element, "id") or "")
                    if target is None or not target[1].endswith(REL_WORKSHEET):
                        continue  # a chart sheet or a macro sheet holds no rows
                    if target[0] not in names:
                        raise XlsxError(f"missing part {target[0]}")
                    self.sheets.append(
                        SheetInfo(
                            name=_attr(element, "name") or "",
                            part=target[0],
                            hidden=(_attr(element, "state") or "visible") != "visible",
                        )
                    )
                by_type = {kind.rsplit("/", 1)[-1]: part for part, kind in rels.values()}
                styles = by_type.get("styles")
                self.styles = _read_styles(archive.read(styles)) if styles in names else []
                self._strings_part = by_type.get("sharedStrings")
                if self._strings_part not in names:
                    self._strings_part = None
        except XlsxError:
            raise
        except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError, OSError, EOFError) as exc:
            raise XlsxError(str(exc)) from exc
        except zlib.error as exc:
            raise XlsxError(str(exc)) from exc
        self._strings: SharedStrings | None = None

    @staticmethod
    def _book_part(archive: zipfile.ZipFile, names: set[str]) -> str:
        if "_rels/.rels" in names:
            root = ET.fromstring(archive.read("_rels/.rels"))  # noqa: S314
            for rel in root:
                if (rel.get("Type") or "").endswith(REL_DOC):
                    part = (rel.get("Target") or "").lstrip("/")
                    if part in names and part.endswith(".xml"):
                        return part
                    raise NotXlsx(part)  # xl/workbook.bin: an .xlsb
        if "xl/workbook.xml" in names:
            return "xl/workbook.xml"
        raise NotXlsx("no workbook part")

    @staticmethod
    def _rels(archive: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in names:
            raise XlsxError("the workbook has no relationships")
        out = {}
        for rel in ET.fromstring(archive.read(rels_part)):  # noqa: S314
            target = rel.get("Target") or ""
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[rel.get("Id") or ""] = (path, rel.get("Type") or "")
        return out

    def strings(self, archive: zipfile.ZipFile) -> SharedStrings:
        if self._strings is None:
            self._strings = SharedStrings()
            if self._strings_part:
                with archive.open(self._strings_part) as f:
                    self._strings.load(f)
        return self._strings

    def sheet(self, info: SheetInfo) -> XlsxSheet:
        return XlsxSheet(self, info)


# --- a worksheet ------------------------------------------------------------------------------


class XlsxSheet:
    """One worksheet read as a stream of (row number, cells) rows."""

    def __init__(self, book: Workbook, info: SheetInfo) -> None:
        self.book = book
        self.info = info
        self.name = info.name

    def rows(self) -> Iterator[Row]:
        """Every row from row 1 to the last with a value, with the row number Excel shows;
        cells from column A ("" where a cell is empty or missing)."""
        return self._read(lambda parser, stream: parser.rows(stream))

    def last_row(self) -> int:
        """The number of the last row with a value. The whole sheet is inflated (which checks
        it against its checksum: a damaged file is refused before anything is imported), but
        only rows with a value tag are parsed."""
        return next(self._read(lambda parser, stream: iter([parser.last_row(stream)])))

    def _read(self, use: Callable[[_Parser, IO[bytes]], Iterator[Any]]) -> Iterator[Any]:
        try:
            with (
                self.book.opener() as f,
                zipfile.ZipFile(f) as archive,
                archive.open(self.info.part) as stream,
            ):
                yield from use(_Parser(self.book, archive), stream)
        except XlsxError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError, EOFError) as exc:
            raise XlsxError(str(exc)) from exc
        except zlib.error as exc:
            raise XlsxError(str(exc)) from exc


class _Parser:
    """Turns chunks of a worksheet's XML into rows."""

    def __init__(self, book: Workbook, archive: zipfile.ZipFile) -> None:
        self.book = book
        self.archive = archive
        self.styles = book.styles
        self.kind_of: dict[bytes, int] = {}  # cell attributes -> type * 8 + style kind
        self.columns: dict[bytes, int] = {}
        self.dates: dict[tuple[bytes, int], Any] = {}
        self.plain = False

    def _compile(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        self.prefix = prefix
        self.row_end = b"</" + prefix + b"row>"
        self.row_start = b"<" + prefix + b"row"
        self.value_marks = tuple(b"<" + prefix + tag for tag in (b"v>", b"v ", b"is>", b"is "))
        self.sheet_end = b"</" + prefix + b"sheetData>"
        self.row_number = re.compile(rb"<" + p + rb'row\b[^>]*?\sr="(\d+)"')
        # Fast alternatives first: <v>number</v>, <is><t>text</t></is>; anything else is taken
        # whole (group 5) and read by `_slow_value`.
        self.cell = re.compile(
            rb"<"
            + p
            + rb'c\b(?:\s+r="([A-Za-z]{1,3})\d+")?([^>]*?)(?:/>|>(?:<'
            + p
            + rb"v>([^<]*)</"
            + p
            + rb"v>|<"
            + p
            + rb"is><"
            + p
            + rb"t>([^<]*)</"
            + p
            + rb"t></"
            + p
            + rb"is>|(.*?))</"
            + p
            + rb"c>)",
            re.S,
        )
        self.any_ref = re.compile(rb'\sr="([A-Za-z]{1,3})\d+"')
        self.type_attr = re.compile(rb'\st="([^"]*)"')
        self.style_attr = re.compile(rb'\ss="(\d+)"')
        self.value = re.compile(rb"<" + p + rb"v(?:\s[^>]*)?>(.*?)</" + p + rb"v>", re.S)
        self.inline = re.compile(rb"<" + p + rb"is\b[^>]*>(.*?)</" + p + rb"is>", re.S)
        self.text_patterns = _text_patterns(prefix)

    def _parts(self, stream: IO[bytes]) -> Iterator[bytes]:
        """The XML of the sheet's rows, about a megabyte of whole rows at a time."""
        buffer = stream.read(CHUNK)
        match = re.search(rb"<(\w+:)?worksheet\b", buffer[:65536])
        if match is None:
            raise XlsxError("not a worksheet")
        self._compile(match.group(1) or b"")
        start = buffer.find(b"<" + self.prefix + b"sheetData")
        while start < 0:
            chunk = stream.read(CHUNK)
            if not chunk:
                return
            buffer = buffer[-64:] + chunk
            start = buffer.find(b"<" + self.prefix + b"sheetData")
        buffer = buffer[start:]
        done = False
        while not done:
            chunk = stream.read(CHUNK)
            buffer += chunk
            if not chunk:
                done = True
                end = buffer.find(self.sheet_end)
                cut = len(buffer) if end < 0 else end
            else:
                cut = buffer.rfind(self.row_end)
                if cut < 0:
                    continue
            part, buffer = buffer[:cut], buffer[cut:]
            # Text without entities (&amp;) or escapes (_x000D_) is only decoded.
            self.plain = b"&" not in part and b"_x" not in part and b"\r" not in part
            yield part

    def _pieces(self, stream: IO[bytes]) -> Iterator[tuple[int, bytes, int]]:
        """(row number, the XML of the row, where its <row> tag starts) for every row tag."""
        number = 0
        for part in self._parts(stream):
            for row in self._pieces_of(part, number):
                number = row[0]
                yield row

    def rows(self, stream: IO[bytes]) -> Iterator[Row]:
        yielded = 0
        for number, piece, at in self._pieces(stream):
            cells = self._cells(piece, at)
            if not cells:
                continue
            # Rows the file leaves out, or holds without a value, are handed out empty (from
            # row 1 on, as python-calamine does), so that blank rows are counted; empty rows
            # below the last row with data are not rows of the table.
            while yielded + 1 < number:
                yielded += 1
                yield yielded, []
            yielded = max(yielded, number)
            yield number, cells

    def last_row(self, stream: IO[bytes]) -> int:
        """The number of the last row holding a value tag. Rows carry their numbers (r="…")
        in every file Excel, WPS, LibreOffice or openpyxl writes: then only the last value
        of each chunk is looked for; otherwise every row is counted."""
        last = 0
        numbered: bool | None = None
        counted = 0
        for part in self._parts(stream):
            if numbered is None:
                at = part.find(self.row_start)
                if at < 0:
                    continue
                numbered = self.row_number.match(part, at) is not None
            if not numbered:
                for number, piece, _at in self._pieces_of(part, counted):
                    counted = number
                    if any(mark in piece for mark in self.value_marks):
                        last = number
                continue
            value_at = max(part.rfind(mark) for mark in self.value_marks)
            if value_at >= 0:
                found = self.row_number.match(part, part.rfind(self.row_start, 0, value_at))
                if found is None:
                    raise XlsxError("a row without its number")
                last = int(found.group(1))
        return last

    def _pieces_of(self, part: bytes, number: int) -> Iterator[tuple[int, bytes, int]]:
        """The rows of a chunk; `number` is that of the row before it."""
        for piece in part.split(self.row_end):
            at = piece.rfind(self.row_start)
            if at < 0:
                continue
            # Self-closing <row/> tags before this one are rows without cells.
            found = self.row_number.match(piece, at)
            number = int(found.group(1)) if found else number + 1
            yield number, piece, at

    def _cells(self, piece: bytes, at: int) -> list[Any]:
        # The innermost loop of an import: a million cells per 100,000 rows, so the common
        # cases (a number, inline text, a shared string) take the fewest steps.
        found = self.cell.findall(piece, at)
        if not found:
            return []
        columns = self.columns
        if columns.get(found[0][0]) == 0 and columns.get(found[-1][0]) == len(found) - 1:
            # Cells A, B, C … one after another (references only ever increase in a row).
            out: list[Any] = []
            kind_of = self.kind_of
            append = out.append
            plain = self.plain
            for _ref, attrs, number, text, other in found:
                kind = kind_of.get(attrs)
                if kind is None:
                    kind = kind_of[attrs] = self._kind(attrs)
                if text:
                    append(text.decode("utf-8") if plain else _text(text))
                elif number:
                    append(float(number) if kind == 0 else self._value(kind, number))
                elif other:
                    append(self._slow_value(kind, other))
                else:
                    append("")  # <c/> or <v></v>
        else:
            out = self._placed(found)
        while out and out[-1] == "":
            out.pop()
        return out

    def _placed(self, found: list[tuple[bytes, ...]]) -> list[Any]:
        """Cells put where their references say (gaps filled with "")."""
        out: list[Any] = []
        kind_of = self.kind_of
        columns = self.columns
        value: Any
        for ref, attrs, number, text, other in found:
            index = columns.get(ref)
            if index is None:
                index = self._index(ref, attrs, len(out))
            kind = kind_of.get(attrs)
            if kind is None:
                kind = kind_of[attrs] = self._kind(attrs)
            if text:
                value = _text(text)
            elif number:
                value = float(number) if kind == 0 else self._value(kind, number)
            elif other:
                value = self._slow_value(kind, other)
            else:
                value = ""
            if index == len(out):
                out.append(value)
            elif index > len(out):
                out.extend([""] * (index - len(out)))
                out.append(value)
            else:
                out[index] = value  # a cell given twice: the last one stands, as in Excel
        return out

    def _index(self, ref: bytes, attrs: bytes, next_index: int) -> int:
        if ref:
            index = self.columns[ref] = _column_index(ref)
            return index
        if b'r="' in attrs and (found := self.any_ref.search(attrs)):
            return _column_index(found.group(1))
        return next_index  # cells without references follow one another

    def _kind(self, attrs: bytes) -> int:
        """Cell type * 8 + style kind, from a cell's attributes other than its reference:
        0 for a plain number."""
        found = self.type_attr.search(attrs)
        typ = {b"s": 1, b"inlineStr": 2, b"str": 3, b"b": 4, b"e": 5, b"d": 6}.get(
            found.group(1) if found else b"n", 0
        )
        found = self.style_attr.search(attrs)
        index = int(found.group(1)) if found else 0
        style = self.styles[index] if index < len(self.styles) else NUMBER
        return typ * 8 + style

    def _value(self, kind: int, raw: bytes) -> Any:
        typ, style = divmod(kind, 8)
        if typ == 0:  # a number
            if style == NUMBER:
                return float(raw)
            key = (raw, style)
            value = self.dates.get(key)
            if value is None:
                value = _from_serial(float(raw), style, self.book.date1904)
                if len(self.dates) < 100_000:
                    self.dates[key] = value
            return value
        if typ == 1:  # an index into the shared strings
            return self.book.strings(self.archive)[int(raw)]
        if typ == 4:
            return raw.strip() in (b"1", b"true")
        if typ == 6:
            return _iso_date(_text(raw))
        return _text(raw)  # inline or formula text, an error such as #N/A

    def _slow_value(self, kind: int, inner: bytes) -> Any:
        if kind // 8 == 2:
            found = self.inline.search(inner)
            return _text(_rich_text(found.group(1), self.text_patterns)) if found else ""
        found = self.value.search(inner)
        if found is None or not found.group(1):
            return ""  # a formula Excel has not calculated
        return self._value(kind, found.group(1))


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index - 1
