"""The streaming .xlsx reader: the same values python-calamine gives for the same cells
(calamine is the oracle here), whichever program wrote the file, with memory flat in rows."""

import datetime as dt
import io
import tracemalloc
import zipfile
from typing import Any

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epigrid.spreadsheets.reading import SpreadsheetError, _calamine_rows, open_sheet


def calamine_rows(data: bytes) -> dict[int, list[Any]]:
    """What the product read .xlsx files with before (its python-calamine path, still used for
    .xls and .ods)."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return dict(_calamine_rows(book, book.get_sheet_by_index(0)))


def normal(cells: list[Any]) -> list[Any]:
    """Blank text is blank (calamine drops white space that lacks xml:space="preserve"), and a
    row ends at its last value."""
    out = ["" if isinstance(c, str) and not c.strip() else c for c in cells]
    while out and out[-1] == "":
        out.pop()
    return out


def same_as_calamine(data: bytes) -> None:
    mine = {n: normal(c) for n, c in open_sheet(data, "x.xlsx").rows()}
    theirs = {n: normal(c) for n, c in calamine_rows(data).items()}
    assert {n: c for n, c in mine.items() if c} == {n: c for n, c in theirs.items() if c}


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    max_size=12,
).filter(lambda s: not s.startswith("="))
values = st.one_of(
    st.none(),
    text,
    st.sampled_from(["张三", "a&b<c>\"'", "_x000D_", "  lead", "4.40785E+17", "锦岗村 3栋"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
)
sheets = st.lists(st.lists(values, max_size=7), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=sheets, shared=st.booleans())
def test_any_cells_read_as_calamine_reads_them(rows, shared):
    buffer = io.BytesIO()
    if shared:  # xlsxwriter keeps text in a shared-strings table, as Excel and WPS do
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet()
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, moment)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
        book.close()
    else:  # openpyxl writes inline strings
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(
                [
                    openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                    for v in row
                ]
            )
        book.save(buffer)
    data = buffer.getvalue()
    try:
        calamine_rows(data)
    except Exception:
        return  # nothing for calamine to say about it (an empty sheet)
    if not any(normal(list(c)) for c in calamine_rows(data).values()):
        return
    same_as_calamine(data)


def package(sheet_xml: str, *, strings: str = "", styles: str = "", workbook: str = "") -> bytes:
    """A hand-made .xlsx: what other programs (WPS, .NET libraries, LibreOffice) write."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            workbook
            or f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="登记" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId8" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId9" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        z.writestr(
            "xl/worksheets/sheet2.xml",
            f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>第二张'
            "</t></is></c></row></sheetData></worksheet>",
        )
        if strings:
            z.writestr("xl/sharedStrings.xml", strings)
        if styles:
            z.writestr("xl/styles.xml", styles)
    return buffer.getvalue()


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STYLES = (
    f'<styleSheet {NS}><numFmts count="2"><numFmt numFmtId="176" '
    'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '<numFmt numFmtId="177" formatCode="[h]:mm"/></numFmts>'
    '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/>'
    '<xf numFmtId="177"/><xf numFmtId="20"/><xf numFmtId="22"/><xf numFmtId="10"/>'
    "</cellXfs></styleSheet>"
)


def rows_of(data: bytes) -> dict[int, list[Any]]:
    return dict(open_sheet(data, "x.xlsx").rows())


def test_shared_strings_rich_text_phonetic_guides_and_escapes():
    strings = (
        f'<sst {NS} count="4"><si><t>张三</t></si>'
        '<si><r><rPr><b/></rPr><t>锦岗</t></r><r><t xml:space="preserve">村 3栋</t></r>'
        '<rPh sb="0" eb="1"><t>jin</t></rPh></si>'
        '<si><t xml:space="preserve"> a&amp;b_x000D_c </t></si><si><t/></si></sst>'
    )
    sheet = (
        f'<worksheet {NS}><sheetData><row r="2"><c r="B2" t="s"><v>0</v></c>'
        '<c r="C2" t="s"><v>1</v></c><c r="D2" t="s"><v>2</v></c><c r="E2" t="s"><v>3</v></c>'
        "</row></sheetData></worksheet>"
    )
    data = package(sheet, strings=strings)
    assert rows_of(data) == {1: [], 2: ["", "张三", "锦岗村 3栋", " a&b\rc "]}
    same_as_calamine(data)


def test_dates_by_number_format_and_the_1904_system():
    sheet = (
        f'<worksheet {NS}><sheetData><row r="1">'
        '<c r="A1" s="1"><v>43864</v></c><c r="B1" s="2"><v>43864</v></c>'
        '<c r="C1" s="3"><v>1.5</v></c><c r="D1" s="4"><v>0.4375</v></c>'
        '<c r="E1" s="5"><v>43864.5</v></c><c r="F1" s="6"><v>0.25</v></c>'
        '<c r="G1" t="d"><v>2020-02-03T10:30:00</v></c><c r="H1" t="d"><v>2020-02-03</v></c>'
        "</row></sheetData></worksheet>"
    )
    data = package(sheet, styles=STYLES)
    assert rows_of(data)[1] == [
        dt.date(2020, 2, 3),
        dt.date(2020, 2, 3),
        dt.timedelta(hours=36),
        dt.time(10, 30),
        dt.datetime(2020, 2, 3, 12, 0),
        0.25,
        dt.datetime(2020, 2, 3, 10, 30),
        dt.date(2020, 2, 3),
    ]
    calamine = calamine_rows(data)[1]
    assert calamine[:6] == rows_of(data)[1][:6]
    mac = package(
        sheet,
        styles=STYLES,
        workbook=f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="s" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
    )
    assert rows_of(mac)[1][0] == dt.date(2024, 2, 4)


def test_prefixes_missing_references_odd_order_and_formulas():
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>电话</x:t></x:is></x:c></x:row>'
        '<x:row r="3" spans="1:4"/><x:row r="4"><x:c s="0" r="C4" t="str"><x:f>A1&amp;B1</x:f>'
        '<x:v>姓名电话</x:v></x:c><x:c r="D4" t="e"><x:v>#N/A</x:v></x:c>'
        '<x:c r="A4" t="b"><x:v>1</x:v></x:c><x:c r="E4"><x:f>1+1</x:f></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    got = rows_of(package(sheet))
    assert got[1] == ["姓名", "电话"]
    assert got[2] == got[3] == []
    assert got[4] == [True, "", "姓名电话", "#N/A"]
    assert open_sheet(package(sheet), "x.xlsx").last_row == 4


def test_empty_rows_inside_are_handed_out_and_trailing_ones_are_not():
    sheet = (
        f'<worksheet {NS}><dimension ref="A1:B9"/><sheetData>'
        '<row r="3"><c r="B3" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="5"><c r="A5" s="1"/></row><row r="6"><c r="A6"><v>6</v></c></row>'
        '<row r="9"><c r="A9" s="1"/></row></sheetData></worksheet>'
    )
    sheet_data = open_sheet(package(sheet, styles=STYLES), "x.xlsx")
    assert list(sheet_data.rows()) == [
        (1, []),
        (2, []),
        (3, ["", "x"]),
        (4, []),
        (5, []),
        (6, [6.0]),
    ]
    assert sheet_data.last_row == 6


def test_a_sheet_member_damaged_inside_is_refused_when_the_file_is_checked():
    book = openpyxl.Workbook()
    for i in range(3000):
        book.active.append([i, f"张三{i}", "440785199001011234"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # Zero bytes in the middle of the compressed sheet: the directory is intact, so the file
    # opens; reading the sheet to its end fails (inflate error or checksum), and the upload
    # reads it to its end (for its last row) before anything is imported.
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle : middle + 8] = bytes(8)
    with pytest.raises(SpreadsheetError) as caught:
        _ = open_sheet(bytes(data), "x.xlsx").last_row  # what the upload asks
    assert caught.value.message.startswith("The file is damaged or incomplete")


def _reading_peak(path, rows: int) -> int:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for i in range(rows):
        sheet.append([i, "恩城锦江路1号", f"44078519900101{i % 10000:04d}", f"张{i}", 43864])
    book.save(path)
    opened = open_sheet(path)
    tracemalloc.start()
    try:
        count = sum(1 for _row in opened.rows())
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == rows
    return peak


def test_reading_holds_a_chunk_not_the_sheet(tmp_path):
    small = _reading_peak(tmp_path / "small.xlsx", 8_000)
    large = _reading_peak(tmp_path / "large.xlsx", 32_000)
    # Four times the rows (13 MB of sheet XML, far more as Python objects), the same peak:
    # a chunk of XML and the rows being handed out.
    assert large < small * 1.3 + 512 * 1024
    assert large < 12 * 1024 * 1024
