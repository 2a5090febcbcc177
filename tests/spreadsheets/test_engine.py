"""Header detection, column mapping, skipped rows and row errors, on registers as villages
make them."""

import datetime as dt
from typing import Any

import openpyxl
import pytest

from epigrid.spreadsheets.columns import (
    Column,
    Schema,
    clean_mapping,
    column_letter,
    header_signature,
    normalise_header,
)
from epigrid.spreadsheets.engine import open_import, parse, preview
from epigrid.spreadsheets.models import ColumnMapping
from epigrid.spreadsheets.reading import SpreadsheetError

from .fixtures import DAY, PEOPLE, ident, register_xlsx

MESSY: list[list[Any]] = [
    [1, "张三", ident(1), "13812345678", 43864, 2],  # date as an Excel serial
    [2, " 李　四 ", "440785 19900101 0002", "138 1234 5679", "2020.2.3", 1],  # spaces
    [3, "王五", 440785199001010003, None, DAY, 3],  # ID number stored as a number
    [None, None, None, None, None, None],  # blank row
    [5, "赵六", "４４０７８５１９９００１０１０００４", None, "2020.2.30", None],  # full width
    [6, None, ident(6), None, "20200203", "两"],
    [7, "钱七", ident(7), None, dt.datetime(2020, 2, 3, 10, 30), 1],
]


def no_db(**kwargs):
    return {"use_saved_mappings": False, **kwargs}


def test_header_found_under_merged_title_rows_and_columns_mapped_by_synonyms(tmp_path):
    path = register_xlsx(tmp_path / "r.xlsx", MESSY)
    opened = open_import(path, PEOPLE, **no_db())
    layout = opened.layout
    assert layout.header_row == 3
    assert layout.mapping == {1: "name", 2: "id_number", 3: "phone", 4: "arrived", 5: "household"}
    assert layout.source == "detected"
    assert layout.unmapped_headers() == ["序号"]
    assert opened.missing_required == []


def test_every_row_parsed_with_exact_row_numbers_and_reasons(tmp_path):
    path = register_xlsx(tmp_path / "r.xlsx", MESSY)
    opened = open_import(path, PEOPLE, **no_db())
    rows = list(opened.rows())
    assert [r.row_number for r in rows] == [4, 5, 6, 8, 9, 10]  # row 7 blank
    by_row = {r.row_number: r for r in rows}
    assert by_row[4].values == {
        "name": "张三",
        "id_number": ident(1),
        "phone": "13812345678",
        "arrived": DAY,
        "household": 2,
    }
    assert by_row[4].ok and by_row[5].ok and by_row[10].ok
    assert by_row[5].values["name"] == "李 四"
    assert by_row[5].values["id_number"] == ident(2)
    assert by_row[5].values["phone"] == "13812345679"
    assert by_row[8].values["id_number"] == "440785199001010004"
    assert by_row[10].values["arrived"] == DAY
    errors = [(e.row_number, e.column_label, e.value, e.message) for r in rows for e in r.errors]
    assert errors == [
        (
            6,
            "ID number",
            "440785199001010000",
            "This long number was stored as a number, so Excel has already cut its last "
            "digits. Format the column as text and type the number again.",
        ),
        (8, "Arrival date", "2020.2.30", "There is no such date: 2020.2.30."),
        (9, "Name", "", "This cell must be filled in."),
        (9, "Household size", "两", "Enter a whole number."),
    ]
    # The blank row and the 合计 row at the bottom are skipped, not errors.
    assert opened.skipped.blank == 2
    assert opened.skipped.totals == [12]


@pytest.mark.parametrize(
    "total",
    [
        ["合 计", None, None, None, None, 7],
        [None, "总计：", None, None, None, 7],
        ["小计", "3人"],
        [None, "共7人"],
        [None, None, None, None, None, 7],  # a lone sum under the numeric column
        [None, None, None, None, None, "7"],
        [None, "制表人：张三", None, "审核人：李四"],
    ],
)
def test_total_and_signature_rows_are_skipped(tmp_path, total):
    book = openpyxl.Workbook()
    book.active.append(["序号", "姓名", "身份证号", "联系电话", "来恩日期", "人数"])
    book.active.append([1, "张三", ident(1), None, None, 7])
    book.active.append(total)
    book.save(tmp_path / "t.xlsx")
    opened = open_import(tmp_path / "t.xlsx", PEOPLE, **no_db())
    assert [r.row_number for r in opened.rows()] == [2]
    assert opened.skipped.totals == [3]


def test_a_number_in_a_text_column_is_not_a_total(tmp_path):
    path = register_xlsx(tmp_path / "r.xlsx", [[None, 12345, None, None, None, None]], total=False)
    rows = list(parse(path, PEOPLE, **no_db()))
    assert [(r.row_number, r.values["name"]) for r in rows] == [(4, "12345")]
    assert [e.column_label for e in rows[0].errors] == ["ID number"]


def test_template_rows_numbered_in_advance_but_empty_are_blank(tmp_path):
    rows = [[1, "张三", ident(1), None, None, 1]] + [[n] for n in range(2, 50)]
    path = register_xlsx(tmp_path / "r.xlsx", rows)
    assert [r.row_number for r in parse(path, PEOPLE, **no_db())] == [4]


def test_header_normalisation():
    assert normalise_header(" 身份证号码 （必填） ") == "身份证号码"
    assert normalise_header("*姓　名：") == "姓名"
    assert normalise_header("ＩＤ Number[选填]") == "idnumber"
    assert normalise_header("【身份证号】") == "身份证号"
    assert normalise_header(None) == ""
    assert header_signature(["姓名 ", "身份证号(必填)", None]) == header_signature(
        ["姓名", "身份证号"]
    )
    assert header_signature(["姓名", "身份证号"]) != header_signature(["身份证号", "姓名"])


def test_headers_that_contain_a_synonym_are_mapped_when_unambiguous(tmp_path):
    header = ["租户身份证号码", "租户的名字", "现住址"]
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append([ident(1), "张三", "锦岗村"])
    book.save(tmp_path / "h.xlsx")
    layout = open_import(tmp_path / "h.xlsx", PEOPLE, **no_db()).layout
    assert layout.mapping == {0: "id_number", 1: "name"}
    assert layout.unmapped_headers() == ["现住址"]


def test_no_header_row_is_refused(tmp_path):
    book = openpyxl.Workbook()
    for n in range(40):
        book.active.append([f"row {n}", "姓名"])  # one match per row is not a header
    book.save(tmp_path / "n.xlsx")
    with pytest.raises(SpreadsheetError, match="No header row found"):
        open_import(tmp_path / "n.xlsx", PEOPLE, **no_db())


def test_missing_required_column_refuses_the_parse_but_not_the_preview(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "联系电话"])
    book.active.append(["张三", "13812345678"])
    book.save(tmp_path / "m.xlsx")
    shown = preview(tmp_path / "m.xlsx", PEOPLE, **no_db())
    assert shown.missing_required == ["ID number"]
    assert [r.values["name"] for r in shown.rows] == ["张三"]
    with pytest.raises(SpreadsheetError, match="The file has no column for: ID number"):
        list(parse(tmp_path / "m.xlsx", PEOPLE, **no_db()))


def test_given_mapping_wins_and_header_row_can_be_named(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["A栏", "B栏", "C栏"])  # headers nobody could guess
    book.active.append(["张三", ident(1), "2020-02-03"])
    book.save(tmp_path / "g.xlsx")
    opened = open_import(
        tmp_path / "g.xlsx",
        PEOPLE,
        mapping={"0": "name", "1": "id_number", "2": "arrived"},
        header_row=1,
        **no_db(),
    )
    assert opened.layout.source == "given"
    [row] = opened.rows()
    assert (row.row_number, row.values["name"], row.values["arrived"]) == (2, "张三", DAY)


def test_mappings_are_checked():
    assert clean_mapping({"3": "name", 1: "id_number", "2": ""}, PEOPLE) == {
        1: "id_number",
        3: "name",
    }
    with pytest.raises(SpreadsheetError, match="Unknown column: shoe_size"):
        clean_mapping({0: "shoe_size"}, PEOPLE)
    with pytest.raises(SpreadsheetError, match="Name is mapped to more than one column"):
        clean_mapping({0: "name", 1: "name"}, PEOPLE)
    with pytest.raises(SpreadsheetError, match="not valid"):
        clean_mapping({"B": "name"}, PEOPLE)
    with pytest.raises(SpreadsheetError, match="not valid"):
        clean_mapping({-1: "name"}, PEOPLE)


@pytest.mark.django_db
def test_a_saved_mapping_is_used_for_the_next_file_with_the_same_header(tmp_path):
    header = ["A栏", "B栏", "C栏"]
    ColumnMapping.objects.create(
        kind="people",
        header_signature=header_signature(header),
        mapping={"0": "name", "1": "id_number", "2": "arrived"},
    )
    book = openpyxl.Workbook()
    book.active.append(["某某村登记表"])
    book.active.append(header)
    book.active.append(["张三", ident(1), 43864])
    book.save(tmp_path / "s.xlsx")
    opened = open_import(tmp_path / "s.xlsx", PEOPLE)
    assert (opened.layout.header_row, opened.layout.source) == (2, "saved")
    [row] = opened.rows()
    assert row.values == {
        "name": "张三",
        "id_number": ident(1),
        "phone": None,
        "arrived": DAY,
        "household": None,
    }
    # Another kind with the same header does not borrow it.
    other = Schema("other", (Column("x", "X", ("A栏",)), Column("y", "Y", ("B栏",))))
    assert open_import(tmp_path / "s.xlsx", other).layout.source == "detected"


def test_schemas_refuse_a_header_naming_two_columns():
    with pytest.raises(ValueError, match="names both"):
        Schema("bad", (Column("a", "A", ("姓名",)), Column("b", "B", ("姓名 ",))))


def test_csv_register_in_gbk(tmp_path):
    text = (
        "锦岗村出租屋租户登记表,,,\n"
        "姓名,公民身份号码,来恩日期,同住人数\n"
        "张三,440785199001010001,2020.2.3,2\n"
        ",,,\n"
        "李四,４４０７８５１９９００１０１０００２,2020年2月3日,1\n"
        "合计,,,3\n"
    )
    path = tmp_path / "register.csv"
    path.write_bytes(text.encode("gbk"))
    rows = list(parse(path, PEOPLE, **no_db()))
    assert [(r.row_number, r.values["name"], r.values["id_number"]) for r in rows] == [
        (3, "张三", ident(1)),
        (5, "李四", ident(2)),
    ]
    assert all(r.ok and r.values["arrived"] == DAY for r in rows)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
