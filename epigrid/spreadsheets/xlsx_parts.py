"""The parts of an .xlsx other than its rows, for the streaming reader in `xlsx`: which cell
styles show dates (styles.xml), the shared-strings table, and how a cell's raw text becomes a
value (XML entities, the _xHHHH_ escapes of OOXML, Excel's date serials)."""

from __future__ import annotations

import datetime as dt
import re
from array import array
from html import unescape
from typing import IO, Any
from xml.etree import ElementTree as ET

CHUNK = 1 << 20  # bytes of sheet XML parsed at a time
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAC_EPOCH = dt.datetime(1904, 1, 1)
# Built-in number formats that show a date or a time (ECMA-376 18.8.30, plus the East Asian
# ids 27-36 and 50-58, which are dates such as yyyy"年"m"月"d"日" in a Chinese Excel).
_DATE_IDS = frozenset((14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)))
_TIME_IDS = frozenset((18, 19, 20, 21, 45, 47))
_DURATION_IDS = frozenset((46,))
_ESCAPE_X = re.compile(r"_x([0-9A-Fa-f]{4})_")
_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKET = re.compile(r"\[[^\]]*\]")
_DURATION = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)


class XlsxError(Exception):
    """The package is not a readable .xlsx (the caller words the message)."""


class NotXlsx(XlsxError):
    """A zip file, but not a SpreadsheetML workbook (an .ods or .xlsb): another reader's."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: ET.Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "\r" in text:  # XML reads a line break typed as CR LF or CR as LF (&#13; stays CR)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = unescape(text)
    if "_x" in text:
        text = _ESCAPE_X.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


# --- styles: which cells hold dates -----------------------------------------------------------

# What a cell's number format makes of its number.
NUMBER, DATE, TIME, DATETIME, DURATION = range(5)


def _format_kind(code: str) -> int:
    if _DURATION.search(code):
        return DURATION
    plain = _BRACKET.sub("", _QUOTED.sub("", code)).lower().split(";")[0]
    has_date = any(ch in plain for ch in "yd") or (
        "m" in plain and not any(c in plain for c in "hs")
    )
    has_time = any(ch in plain for ch in "hs")
    if has_date and has_time:
        return DATETIME
    if has_date:
        return DATE
    if has_time:
        return TIME
    return NUMBER


def _read_styles(data: bytes) -> list[int]:
    """The kind (NUMBER, DATE …) of each cell style index, from styles.xml."""
    root = ET.fromstring(data)  # noqa: S314
    custom: dict[int, int] = {}
    kinds: list[int] = []
    for element in root:
        name = _local(element.tag)
        if name == "numFmts":
            for fmt in element:
                try:
                    custom[int(_attr(fmt, "numFmtId") or "")] = _format_kind(
                        _attr(fmt, "formatCode") or ""
                    )
                except ValueError:
                    continue
        elif name == "cellXfs":
            for xf in element:
                try:
                    fid = int(_attr(xf, "numFmtId") or 0)
                except ValueError:
                    fid = 0
                if fid in custom:
                    kinds.append(custom[fid])
                elif fid in _DATE_IDS:
                    kinds.append(DATE if fid != 22 else DATETIME)
                elif fid in _TIME_IDS:
                    kinds.append(TIME)
                elif fid in _DURATION_IDS:
                    kinds.append(DURATION)
                else:
                    kinds.append(NUMBER)
    return kinds


def _from_serial(value: float, kind: int, date1904: bool) -> Any:
    """A number in a cell formatted as a date or time, as python-calamine gives it: a duration
    ([h]:mm) as timedelta, under one day as a time of day, a whole day as a date, else a
    datetime (to the millisecond)."""
    if kind == DURATION:
        return dt.timedelta(milliseconds=round(value * 86_400_000))
    if 0 <= value < 1:
        return (dt.datetime.min + dt.timedelta(milliseconds=round(value * 86_400_000))).time()
    if date1904:
        epoch = _MAC_EPOCH
    else:
        # Excel's 1900 system counts a 29 February 1900 that never was: serials up to 60 are
        # one day later than the epoch 1899-12-30 would make them.
        epoch = _EXCEL_EPOCH if value >= 61 else _EXCEL_EPOCH + dt.timedelta(days=1)
    try:
        moment = epoch + dt.timedelta(milliseconds=round(value * 86_400_000))
    except OverflowError:
        return value
    if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
        return moment.date()
    return moment


def _iso_date(text: str) -> Any:
    try:
        moment = dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        try:
            return dt.time.fromisoformat(text)
        except ValueError:
            return text
    if "T" not in text and " " not in text:
        return moment.date()
    return moment


# --- shared strings ---------------------------------------------------------------------------


class SharedStrings:
    """The shared-strings table as one UTF-8 buffer with an offset per string: a few bytes a
    string beyond its text, instead of a Python object each."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("q")

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        start = self.ends[index - 1] if index else 0
        return self.data[start : self.ends[index]].decode("utf-8")

    def load(self, f: IO[bytes]) -> None:
        head = f.read(4096)
        match = re.search(rb"<(\w+:)?sst\b", head)
        prefix = match.group(1) or b"" if match else b""
        end_tag = b"</" + prefix + b"si>"
        simple = re.compile(rb"<" + prefix + rb"si><" + prefix + rb"t>([^<]*)</" + prefix + rb"t>$")
        patterns = _text_patterns(prefix)
        buffer = head
        while True:
            chunk = f.read(CHUNK)
            buffer += chunk
            cut = buffer.rfind(end_tag)
            if cut >= 0:
                cut += len(end_tag)
                self._add(buffer[:cut], end_tag, prefix, simple, patterns)
                buffer = buffer[cut:]
            if not chunk:
                break

    def _add(self, part: bytes, end_tag: bytes, prefix: bytes, simple: Any, patterns: Any) -> None:
        start_tag = b"<" + prefix + b"si"
        for piece in part.split(end_tag)[:-1]:
            at = piece.find(start_tag)
            body = piece[at:]
            match = simple.match(body)
            text = match.group(1) if match else _rich_text(body, patterns)
            if b"&" in text or b"_x" in text or b"\r" in text:
                text = _text(text).encode("utf-8")
            self.data += text
            self.ends.append(len(self.data))


def _text_patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    p = re.escape(prefix)
    phonetic = re.compile(rb"<" + p + rb"rPh\b.*?</" + p + rb"rPh>", re.S)
    runs = re.compile(rb"<" + p + rb"t(?:\s[^>]*)?(?:/>|>(.*?)</" + p + rb"t>)", re.S)
    return phonetic, runs


def _rich_text(body: bytes, patterns: tuple[re.Pattern[bytes], re.Pattern[bytes]]) -> bytes:
    """The text of an <si> or <is>: every <t> run, phonetic guides (<rPh>) left out."""
    phonetic, runs = patterns
    body = phonetic.sub(b"", body)
    return b"".join(runs.findall(body))
