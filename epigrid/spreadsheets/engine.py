"""Parsing a spreadsheet against an import schema: find the header, map the columns, then
turn every data row into values or row errors, one row at a time.

Blank rows and total rows (合计, 总计 …) are skipped; every other row below the header comes
out as a `ParsedRow`, with errors if some cell could not be taken, so each row of the file is
accounted for. The engine creates no domain rows: import kinds do that with what it yields.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .columns import (
    HEADER_SEARCH_ROWS,
    ColumnMap,
    Schema,
    clean_mapping,
    column_letter,
    find_header,
    header_signature,
    match_header,
    normalise_header,
)
from .reading import Sheet, Source, SpreadsheetError, open_sheet
from .values import _BLANK, BLANK_FIRST, CellError, cell_text, is_blank

# A row whose first filled cell starts with one of these sums up the rows above it, or is the
# signature block under the table.
_TOTAL_ROW = re.compile(r"^(合计|总计|總計|小计|共计|总数|共\d|制表人|填表人|填报人|审核人|審核人)")
_NUMBER_TEXT = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")


@dataclass(frozen=True)
class RowError:
    """Why one cell (or, with column_label '', the whole row) could not be taken."""

    row_number: int
    column_label: str
    value: str
    message: str


@dataclass(slots=True)
class ParsedRow:
    row_number: int  # as Excel shows it
    values: dict[str, Any]  # every schema key; None where the cell is empty or unmapped
    errors: list[RowError] = field(default_factory=list)
    prepared: Any = None  # what the import kind's `prepare` made of the row, if it ran

    @property
    def ok(self) -> bool:
        return not self.errors

    def __reduce__(self) -> tuple[Any, ...]:
        # Batches are pickled from the reading process (feed.py): a plain constructor call
        # pickles in two thirds of the time of a slotted dataclass's default state.
        return (ParsedRow, (self.row_number, self.values, self.errors, self.prepared))


@dataclass(frozen=True)
class Layout:
    """Where the header is and which column is which."""

    header_row: int
    header: list[str]  # header cells as text, from column A
    mapping: ColumnMap
    source: str  # "given", "saved" (remembered from an earlier file) or "detected"
    signature: str

    def unmapped_headers(self) -> list[str]:
        return [text for i, text in enumerate(self.header) if text and i not in self.mapping]

    def missing_required(self, schema: Schema) -> list[str]:
        mapped = set(self.mapping.values())
        return [str(c.label) for c in schema.columns if c.required and c.key not in mapped]


@dataclass
class SkippedRows:
    blank: int = 0
    totals: list[int] = field(default_factory=list)  # row numbers; few in any real file


class Import:
    """An opened file with its layout settled; `rows()` parses the data rows lazily."""

    def __init__(self, sheet: Sheet, schema: Schema, layout: Layout) -> None:
        self.sheet = sheet
        self.schema = schema
        self.layout = layout
        self.skipped = SkippedRows()

    @property
    def missing_required(self) -> list[str]:
        return self.layout.missing_required(self.schema)

    def rows(self, *, after: int = 0, strict: bool = True) -> Iterator[ParsedRow]:
        """Data rows below the header (and below row `after`, to resume). Strict: refuse a
        file that lacks a required column instead of failing every row."""
        if strict and (missing := self.missing_required):
            raise SpreadsheetError(
                _("The file has no column for: %(columns)s. Map these columns or add them.")
                % {"columns": "、".join(missing)}
            )
        columns = {c.key: c for c in self.schema.columns}
        # Parsers are pure functions of the cell: a text seen before in the same column (the
        # grid, the address, the rental kind, a date typed as text …) is parsed once.
        plan: list[tuple[int, str, str, Any, bool, dict[Any, Any] | None]] = [
            (
                index,
                key,
                str(columns[key].label),
                columns[key].parse,
                columns[key].required,
                {} if columns[key].parse is not None else None,
            )
            for index, key in self.layout.mapping.items()
        ]
        empty: dict[str, None] = dict.fromkeys(columns)
        numeric_at = {i for i, key in self.layout.mapping.items() if columns[key].numeric}
        mapped = set(self.layout.mapping)
        indexes = [index for index, *_rest in plan]
        start = max(after, self.layout.header_row)
        blank_first = BLANK_FIRST
        blank_match = _BLANK.match
        for number, cells in self.sheet.rows():
            if number <= start:
                continue
            width = len(cells)
            # Blank (is_blank, inlined: this runs for every cell of every row) …
            for i in indexes:
                v = cells[i] if i < width else None
                if not (
                    v is None
                    or v == ""
                    or (type(v) is str and v[0] in blank_first and blank_match(v) is not None)
                ):
                    break
            else:
                self.skipped.blank += 1
                continue
            # … or a total row, else parsed.
            if _is_total(cells, numeric_at, mapped):
                if len(self.skipped.totals) < 1000:
                    self.skipped.totals.append(number)
                continue
            yield _parse_row(number, cells, width, plan, empty)


MEMO_SIZE = 4096  # texts remembered per column; the memo starts afresh when full
_MISS = object()


def _parse_row(
    number: int, cells: list[Any], width: int, plan: list[tuple], empty: dict[str, None]
) -> ParsedRow:
    values: dict[str, Any] = dict(empty)
    errors: list[RowError] = []
    blank_first = BLANK_FIRST
    for index, key, label, parse, required, memo in plan:
        value = cells[index] if index < width else None
        if (
            value is None
            or value == ""
            or (type(value) is str and value[0] in blank_first and _BLANK.match(value))
        ):
            if required:
                errors.append(RowError(number, label, "", _("This cell must be filled in.")))
            continue  # values[key] stays None
        if parse is None:
            result = value
        else:
            result = memo.get(value, _MISS) if type(value) is str else _MISS
            if result is _MISS:
                try:
                    result = parse(value)
                except CellError as exc:
                    errors.append(RowError(number, label, cell_text(value), exc.message))
                    continue
                except ValidationError as exc:
                    message = " ".join(str(m) for m in exc.messages)
                    errors.append(RowError(number, label, cell_text(value), message))
                    continue
                if type(value) is str:
                    if len(memo) >= MEMO_SIZE:
                        memo.clear()
                    memo[value] = result
        if required and (result is None or result == ""):
            errors.append(RowError(number, label, "", _("This cell must be filled in.")))
        values[key] = result
    return ParsedRow(row_number=number, values=values, errors=errors)


# Words a total or signature row starts with begin with one of these characters: a cheap test
# that spares the normalisation for every ordinary row.
_TOTAL_FIRST = frozenset("合总總小共制填审審")


def _is_total(cells: list[Any], numeric_at: set[int], mapped: set[int]) -> bool:
    first = next((v for v in cells if not is_blank(v)), None)
    if (
        isinstance(first, str)
        and first.lstrip()[:1] in _TOTAL_FIRST
        and _TOTAL_ROW.match(normalise_header(first))
    ):
        return True
    if not numeric_at:
        return False
    # A lone sum under a numeric column, with nothing where a person's details would be.
    under_numeric = False
    for i, value in enumerate(cells):
        if is_blank(value):
            continue
        if (i in mapped and i not in numeric_at) or not _is_number(value):
            return False
        under_numeric = under_numeric or i in numeric_at
    return under_numeric


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.strip()))


# --- opening ----------------------------------------------------------------------------------


def open_import(
    source: Source,
    schema: Schema,
    *,
    filename: str = "",
    mapping: Mapping[Any, Any] | None = None,
    header_row: int | None = None,
    use_saved_mappings: bool = True,
) -> Import:
    """Opens the file and settles its layout: the header row is `header_row` when given, else
    the first of the top rows whose header has a saved mapping, else the first that names two
    of the schema's columns. The mapping is `mapping` when given, else the saved one, else the
    one the header's names give."""
    sheet = open_sheet(source, filename)
    given = clean_mapping(mapping, schema) if mapping else None
    header = _header_row(sheet, header_row) if header_row else None
    saved: ColumnMap | None = None
    if header is None and use_saved_mappings:
        header, saved = _saved_layout(sheet, schema)
    if header is None:
        header = find_header(_top_rows(sheet), schema)
    if header is None:
        raise SpreadsheetError(
            _(
                "No header row found: none of the first %(n)d rows names at least two of the "
                "columns this import takes (%(columns)s)."
            )
            % {
                "n": HEADER_SEARCH_ROWS,
                "columns": "、".join(str(c.label) for c in schema.columns),
            }
        )
    number, cells = header
    signature = header_signature(cells)
    if given is None and saved is None and use_saved_mappings and header_row:
        saved = _saved_mappings(schema, [signature]).get(signature)
    if given is not None:
        chosen, source_name = given, "given"
    elif saved is not None:
        chosen, source_name = saved, "saved"
    else:
        chosen, source_name = match_header(cells, schema), "detected"
    layout = Layout(
        header_row=number,
        header=[cell_text(c).strip() for c in cells],
        mapping=chosen,
        source=source_name,
        signature=signature,
    )
    return Import(sheet, schema, layout)


def parse(
    source: Source,
    schema: Schema,
    mapping: Mapping[Any, Any] | None = None,
    *,
    filename: str = "",
    use_saved_mappings: bool = True,
) -> Iterator[ParsedRow]:
    """Every data row of the file, parsed; raises SpreadsheetError for a file it cannot take."""
    opened = open_import(
        source, schema, filename=filename, mapping=mapping, use_saved_mappings=use_saved_mappings
    )
    return opened.rows()


def _top_rows(sheet: Sheet) -> list[tuple[int, list[Any]]]:
    top = []
    for number, cells in sheet.rows():
        if number > HEADER_SEARCH_ROWS:
            break
        top.append((number, cells))
    return top


def _header_row(sheet: Sheet, wanted: int) -> tuple[int, list[Any]]:
    for number, cells in sheet.rows():
        if number == wanted:
            if all(is_blank(c) for c in cells):
                break
            return number, cells
        if number > wanted:
            break
    raise SpreadsheetError(_("Row %(n)d is empty, so it cannot be the header.") % {"n": wanted})


def _saved_layout(
    sheet: Sheet, schema: Schema
) -> tuple[tuple[int, list[Any]] | None, ColumnMap | None]:
    top = [(n, cells) for n, cells in _top_rows(sheet) if not all(is_blank(c) for c in cells)]
    signatures = {n: header_signature(cells) for n, cells in top}
    saved = _saved_mappings(schema, list(signatures.values()))
    for number, cells in top:
        if signatures[number] in saved:
            return (number, cells), saved[signatures[number]]
    return None, None


def _saved_mappings(schema: Schema, signatures: list[str]) -> dict[str, ColumnMap]:
    from .selectors import saved_mappings  # the engine itself works without the database

    return {
        signature: clean_mapping(mapping, schema)
        for signature, mapping in saved_mappings(kind=schema.kind, signatures=signatures).items()
    }


# --- preview ----------------------------------------------------------------------------------


@dataclass
class Preview:
    """What a person checks before committing: the header found, the mapping, the headers left
    out, the required columns missing, and the first rows with their errors."""

    header_row: int
    header: list[str]
    mapping: ColumnMap
    mapping_source: str
    signature: str
    unmapped_headers: list[str]
    missing_required: list[str]
    rows: list[ParsedRow]
    last_row: int

    def columns(self, schema: Schema) -> list[dict[str, Any]]:
        """One entry per header cell: its letter, text, and the column it maps to (or None)."""
        return [
            {
                "index": i,
                "letter": column_letter(i),
                "header": text,
                "key": self.mapping.get(i),
                "label": str(schema.column(self.mapping[i]).label) if i in self.mapping else "",
            }
            for i, text in enumerate(self.header)
            if text or i in self.mapping
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for the API and htmx fragments."""
        return {
            "header_row": self.header_row,
            "header": self.header,
            "mapping": {str(i): key for i, key in self.mapping.items()},
            "mapping_source": self.mapping_source,
            "unmapped_headers": self.unmapped_headers,
            "missing_required": self.missing_required,
            "last_row": self.last_row,
            "rows": [
                {
                    "row_number": r.row_number,
                    "values": {k: cell_text(v) for k, v in r.values.items()},
                    "errors": [
                        {"column": e.column_label, "value": e.value, "message": e.message}
                        for e in r.errors
                    ],
                }
                for r in self.rows
            ],
        }


def preview(
    source: Source,
    schema: Schema,
    limit: int = 20,
    *,
    filename: str = "",
    mapping: Mapping[Any, Any] | None = None,
    header_row: int | None = None,
    use_saved_mappings: bool = True,
) -> Preview:
    opened = open_import(
        source,
        schema,
        filename=filename,
        mapping=mapping,
        header_row=header_row,
        use_saved_mappings=use_saved_mappings,
    )
    rows = []
    for row in opened.rows(strict=False):
        rows.append(row)
        if len(rows) >= limit:
            break
    layout = opened.layout
    return Preview(
        header_row=layout.header_row,
        header=layout.header,
        mapping=layout.mapping,
        mapping_source=layout.source,
        signature=layout.signature,
        unmapped_headers=layout.unmapped_headers(),
        missing_required=layout.missing_required(schema),
        rows=rows,
        last_row=opened.sheet.last_row,
    )
