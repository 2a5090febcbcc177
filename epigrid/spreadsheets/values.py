"""Cell parsers: turn what a village typed into a spreadsheet into clean Python values.

A parser receives one non-blank cell exactly as the reader produced it (str, int, float, bool,
date, datetime, time or timedelta) and returns the value to store, or raises `CellError` with a
message for the person who fixes the file. The engine never calls a parser on a blank cell.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from django.utils.translation import gettext as _


class CellError(ValueError):
    """A cell that cannot be taken, with the reason in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Excel keeps 15 significant digits; a longer number (an ID number typed into a number cell)
# has already lost its tail when it reaches us.
EXCEL_DIGITS = 15
# Dates outside this window are typing mistakes in a register of people and arrivals.
EARLIEST = dt.date(1900, 3, 1)  # serials before this pass through Excel's fake 1900-02-29
LATEST = dt.date(2099, 12, 31)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_MIN = (dt.datetime.combine(EARLIEST, dt.time()) - _EXCEL_EPOCH).days
_SERIAL_MAX = (dt.datetime.combine(LATEST, dt.time()) - _EXCEL_EPOCH).days + 1

# Characters that copy-paste from web pages and WeChat leaves behind, invisible on screen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Blank: nothing a person would see, white space, zero-width and control characters.
_BLANK = re.compile("[\\s\x00-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\u00ad]*\\Z")
# What a blank text can start with (white space ends at U+3000): a text that starts with
# anything else is not blank, which spares the pattern for almost every cell.
BLANK_FIRST = frozenset(
    "".join(
        c for c in map(chr, range(0x3001)) if c.isspace() or c <= "\x1f" or "\x7f" <= c <= "\x9f"
    )
    + "\u200b\u200c\u200d\u2060\ufeff\u00ad"
)
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)

_SEP = r"\s*[-./年]\s*"
_DATE_TEXT = re.compile(
    rf"^(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}})\s*[-./月]\s*(?P<d>\d{{1,2}})\s*[日号]?"
    r"(?:\s*[T\s]?\s*(?P<H>\d{1,2})\s*[:时點点]\s*(?P<M>\d{1,2})\s*分?"
    r"(?:\s*[:]?\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def is_blank(value: Any) -> bool:
    """None, '' and text of white space (full-width spaces included), zero-width and control
    characters only count as empty: nothing a person would see."""
    # Called for every cell of every row: the common answers come first.
    if value is None or value == "":
        return True
    if type(value) is str:
        return value[0] in BLANK_FIRST and _BLANK.match(value) is not None
    return False


def number_text(value: float | int) -> str:
    """A number as Excel shows it: 3.0 as '3', at most 15 significant digits, no exponent."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    rounded = Decimal(f"{value:.{EXCEL_DIGITS}g}")
    if rounded == rounded.to_integral_value():
        return str(int(rounded))
    return format(rounded.normalize(), "f")


def cell_text(value: Any) -> str:
    """Any cell as the text a person would read in Excel (for messages and error reports)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float | int):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _clean(text: str) -> str:
    if not text.isascii():
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
        # NFKC turns full-width letters, digits and punctuation into ASCII, leaves Chinese alone.
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    if _SPACE_OR_CONTROL.search(text) is None:
        return text  # the common case: nothing to collapse or drop
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def parse_text(value: Any) -> str:
    """Trimmed text with runs of white space collapsed, full-width letters and digits made
    ASCII, control characters dropped; numbers read as Excel shows them."""
    return _clean(cell_text(value))


def parse_code(value: Any) -> str:
    """A code people type (identity or organisation number, phone, plate): text without any
    white space. Refuses a long number that Excel stored as a number: its last digits are gone."""
    if isinstance(value, bool):
        raise CellError(_("Expected a code, not a yes/no value."))
    if isinstance(value, float) and abs(value) >= 10**EXCEL_DIGITS:
        raise CellError(_lost_digits())
    text = parse_text(value)  # white space is single spaces by now
    if " " in text:
        text = text.replace(" ", "")
    if text[:1] in ("'", "`"):
        text = text.lstrip("'`")
    if ("e" in text or "E" in text) and _SCIENTIFIC.match(text):
        # "4.40785E+17": a CSV written by Excel from a number cell.
        raise CellError(_lost_digits())
    return text


def _lost_digits() -> str:
    return _(
        "This long number was stored as a number, so Excel has already cut its last digits. "
        "Format the column as text and type the number again."
    )


def parse_int(value: Any) -> int:
    """A whole number: 3, 3.0, '3', '３', '1,000'."""
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value == value and value not in (float("inf"), float("-inf")) and value.is_integer():
            return int(value)
        raise CellError(_("Enter a whole number."))
    text = parse_text(value).replace(",", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,18}(?:\.0+)?", text):
        return int(text.split(".")[0])
    raise CellError(_("Enter a whole number."))


def parse_date(value: Any) -> dt.date:
    """A calendar date: a date cell, an Excel serial number, or text such as 2020.2.3,
    2020/2/3, 2020-02-03, 2020年2月3日, 20200203 or 2020.02.03 10:30 (the time is dropped)."""
    return parse_datetime(value).date()


def parse_datetime(value: Any) -> dt.datetime:
    """Like `parse_date` but keeps a time of day when the cell has one (naive, local time)."""
    if isinstance(value, dt.datetime):
        return _in_window(value, value)
    if isinstance(value, dt.date):
        return _in_window(dt.datetime.combine(value, dt.time()), value)
    if isinstance(value, bool | dt.time | dt.timedelta):
        raise CellError(_("Enter a date, for example 2020-02-03."))
    if isinstance(value, int | float):
        if not -(10**12) < value < 10**12:
            raise CellError(_("Enter a date, for example 2020-02-03."))
        return _from_number(float(value))
    text = parse_text(value)
    if re.fullmatch(r"\d+(?:\.0+)?", text) and len(text.split(".")[0]) != 8:
        # A serial number that came through as text (CSV written from a date cell as General).
        return _from_number(float(text))
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if not match:
        raise CellError(_("Enter a date, for example 2020-02-03."))
    parts = match.groupdict()
    try:
        moment = dt.datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts.get("H") or 0),
            int(parts.get("M") or 0),
            int(parts.get("S") or 0),
        )
    except ValueError as exc:
        raise CellError(_("There is no such date: %(value)s.") % {"value": text}) from exc
    return _in_window(moment, text)


def _from_number(value: float) -> dt.datetime:
    if value.is_integer() and 19000101 <= value <= 20991231:
        # 20200203 typed into a number cell.
        return parse_datetime(str(int(value)))
    if not _SERIAL_MIN <= value < _SERIAL_MAX:
        raise CellError(
            _("%(value)s is not a date. Enter a date, for example 2020-02-03.")
            % {"value": number_text(value)}
        )
    # Excel serials count days from 1899-12-30 (for every date after Excel's fake 1900-02-29);
    # the fraction is the time of day, rounded to the second as Excel shows it.
    return _EXCEL_EPOCH + dt.timedelta(seconds=round(value * 86400))


def _in_window(moment: dt.datetime, shown: Any) -> dt.datetime:
    if not EARLIEST <= moment.date() <= LATEST:
        raise CellError(
            _("%(value)s is outside the years %(first)d to %(last)d.")
            % {"value": cell_text(shown), "first": EARLIEST.year, "last": LATEST.year}
        )
    return moment


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "对"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "x", "不是"}


def parse_bool(value: Any) -> bool:
    """Yes/no: 是/否, 有/无, Y/N, √/×, 1/0, TRUE/FALSE."""
    if isinstance(value, bool):
        return value
    text = parse_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("Enter 是 (yes) or 否 (no)."))


def choice_parser(choices: Mapping[str, Any]) -> Callable[[Any], Any]:
    """A parser that maps the words people use (男, 女, 男性 …) to stored values; the words are
    compared after the same clean-up as `parse_text`, ignoring case."""
    # Enum members come out as their plain values: a batch of rows is pickled to another
    # process (feed.py), and a member costs a class lookup per cell there and back.
    table = {
        parse_text(word).lower(): stored.value if isinstance(stored, Enum) else stored
        for word, stored in choices.items()
    }

    def parse_choice(value: Any) -> Any:
        text = parse_text(value).lower()
        if text in table:
            return table[text]
        allowed = "、".join(dict.fromkeys(choices))
        raise CellError(_("Choose one of: %(allowed)s.") % {"allowed": allowed})

    return parse_choice
