"""Property: whatever people put in the cells, the importer does not crash, and every row
below the header is accounted for: parsed (with or without errors), or skipped as blank or as
a total row, never lost and never counted twice."""

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epigrid.spreadsheets.engine import open_import
from epigrid.spreadsheets.export import neutralise, write_xlsx
from epigrid.spreadsheets.reading import SpreadsheetError
from epigrid.spreadsheets.values import is_blank

from .fixtures import HEADER, PEOPLE, TITLE

MAPPED = range(1, 6)  # columns B-F; A is 序号, which the schema does not take
HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "合计",
    "總計",
    "2020.2.30",
    "４４０７８５１９９００１０１１２３４",
    "4.40785E+17",
    "\t\r\n",
    "\u200b",
    "Robert'); DROP TABLE persons;--",
    "%s%s%n",
    "{{7*7}}",
    "ⅷ ㈠ ﬁ",
]
cells = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
)
rows = st.lists(
    st.one_of(st.just([None] * 6), st.lists(cells, min_size=6, max_size=6)), max_size=25
)


def account(path: Path, generated: list[list]) -> None:
    try:
        opened = open_import(path, PEOPLE, use_saved_mappings=False)
        parsed = list(opened.rows())
    except SpreadsheetError:
        return  # a refusal with a message is an acceptable answer; a crash is not
    first = opened.layout.header_row + 1
    assert opened.layout.header_row == 2
    numbers = [r.row_number for r in parsed]
    assert len(numbers) == len(set(numbers))
    totals = set(opened.skipped.totals)
    assert not totals & set(numbers)
    filled = 0
    for offset, row in enumerate(generated):
        number = first + offset
        if all(is_blank(neutralise(row[i])) for i in MAPPED):
            assert number not in numbers and number not in totals
        else:
            filled += 1
            assert number in numbers or number in totals, (number, row)
    assert len(numbers) + len(totals) == filled
    for parsed_row in parsed:
        assert set(parsed_row.values) == set(PEOPLE.keys)
        for error in parsed_row.errors:
            assert error.row_number == parsed_row.row_number and error.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_generated_xlsx_rows_are_all_accounted_for(generated):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.xlsx"
        # Written with the exporter: every hostile string lands as text, never as a formula.
        write_xlsx(path, [TITLE], [HEADER, *generated])
        account(path, generated)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_generated_csv_rows_are_all_accounted_for(generated, encoding):
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([TITLE])
    writer.writerow(HEADER)
    as_text = [["" if c is None else str(c) for c in row] for row in generated]
    writer.writerows(as_text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.csv"
        path.write_bytes(text.getvalue().encode(encoding))
        account(path, [[None if c == "" else c for c in row] for row in as_text])
