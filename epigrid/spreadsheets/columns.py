"""Import schemas and header detection: which row names the columns, and which column is which.

Village registers put one or more title rows (merged cells such as 锦岗村出租屋租户登记表)
above the header, and name the same column in many ways (身份证号 / 身份证号码 / 证件号码).
Headers are compared after `normalise_header`; a mapping someone confirmed for a header is
remembered by the header's signature and used again for the next file with the same header.
"""

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .reading import SpreadsheetError
from .values import cell_text, is_blank

HEADER_SEARCH_ROWS = 30  # a header further down than this is not a header
MIN_HEADER_MATCHES = 2  # one matching cell could be a title that happens to say 姓名
MAX_COLUMNS = 16384  # Excel's last column, XFD

ColumnMap = dict[int, str]  # cell index (0 = column A) -> column key


@dataclass(frozen=True)
class Column:
    """One field an import kind takes: `key` names it in code, `label` to people (a gettext
    string), `synonyms` are the header texts villages use for it (the Chinese label
    included: the lazy label is not read while the schema is built, before translations are
    ready). `parse` must be a pure function of the cell's value: the engine parses a text it
    has seen before in the same column only once."""

    key: str
    label: Any
    synonyms: tuple[str, ...] = ()
    parse: Callable[[Any], Any] | None = None
    required: bool = False
    # The column holds counts or amounts, so a row with a number here and nothing in the
    # required text columns is a total row, not a person.
    numeric: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, *self.synonyms)


@dataclass(frozen=True)
class Schema:
    kind: str
    columns: tuple[Column, ...]
    _by_name: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys in schema {self.kind!r}")
        by_name: dict[str, str] = {}
        for column in self.columns:
            for name in column.names:
                norm = normalise_header(name)
                owner = by_name.setdefault(norm, column.key)
                if norm and owner != column.key:
                    raise ValueError(f"{name!r} names both {owner!r} and {column.key!r}")
        object.__setattr__(self, "_by_name", by_name)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def key_for(self, header: Any) -> str | None:
        """The column a header cell names: an exact synonym, else the one column whose synonym
        the header contains (租户身份证号码 -> 身份证号码); None when none or several do."""
        norm = normalise_header(header)
        if not norm:
            return None
        if norm in self._by_name:
            return self._by_name[norm]
        owners = {key for name, key in self._by_name.items() if len(name) >= 2 and name in norm}
        return owners.pop() if len(owners) == 1 else None


_MARKERS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")


def normalise_header(value: Any) -> str:
    """NFKC, no white space at all, markers such as (必填) or [选填] and the * of required
    columns dropped, lower case: 'ＩＤ号码 （必填）' and 'id号码' compare equal."""
    if is_blank(value):
        return ""
    text = "".join(unicodedata.normalize("NFKC", cell_text(value)).split())
    stripped = _MARKERS.sub("", text)
    text = stripped or text.strip("()[]【】〔〕")  # a header that is all marker keeps its words
    return text.strip("*:：").lower()


def header_signature(cells: Iterable[Any]) -> str:
    """sha256 of the normalised header cells (trailing empty cells ignored): the same header
    laid out the same way gives the same signature whatever its title rows or spelling."""
    normalised = [normalise_header(c) for c in cells]
    while normalised and not normalised[-1]:
        normalised.pop()
    return hashlib.sha256("\x1f".join(normalised).encode()).hexdigest()


def match_header(cells: list[Any], schema: Schema) -> ColumnMap:
    """The columns the header names, left to right; a key named twice keeps its first cell."""
    mapping: ColumnMap = {}
    taken: set[str] = set()
    for index, cell in enumerate(cells):
        key = schema.key_for(cell)
        if key and key not in taken:
            mapping[index] = key
            taken.add(key)
    return mapping


def find_header(rows: list[tuple[int, list[Any]]], schema: Schema) -> tuple[int, list[Any]] | None:
    """The first row among `rows` that names at least two of the schema's columns (one when
    the schema has a single column)."""
    needed = min(MIN_HEADER_MATCHES, len(schema.columns))
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        if len(match_header(cells, schema)) >= needed:
            return number, cells
    return None


def clean_mapping(mapping: Mapping[Any, Any], schema: Schema) -> ColumnMap:
    """A mapping from a person or from JSON ({"3": "id_number"}): indexes made integers,
    blanks dropped, unknown keys and a key given twice refused."""
    cleaned: ColumnMap = {}
    for raw_index, raw_key in mapping.items():
        if raw_key in (None, ""):
            continue  # "do not import this column"
        try:
            index = int(raw_index)
        except (TypeError, ValueError) as exc:
            raise SpreadsheetError(_("The column mapping is not valid.")) from exc
        if not 0 <= index < MAX_COLUMNS:
            raise SpreadsheetError(_("The column mapping is not valid."))
        key = str(raw_key)
        if key not in schema.keys:
            raise SpreadsheetError(_("Unknown column: %(key)s.") % {"key": key})
        if key in cleaned.values():
            raise SpreadsheetError(
                _("%(label)s is mapped to more than one column.")
                % {"label": schema.column(key).label}
            )
        cleaned[index] = key
    return dict(sorted(cleaned.items()))


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how Excel names the column a cell index points to."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
