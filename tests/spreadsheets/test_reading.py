"""Opening files: every format villages send, and a clear refusal for everything else."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

from epigrid.spreadsheets.reading import CFB_MAGIC, ENCRYPTED_STREAM, SpreadsheetError, open_sheet

from .fixtures import TITLE, register_xlsx

GBK_CSV = (
    "姓名,身份证号码,来恩日期\n张三,440785199001011234,2020.2.3\n李四,44078519900101123X,2020/2/4\n"
)


def rows(sheet):
    return [(n, [c for c in cells]) for n, cells in sheet.rows()]


def test_xlsx_rows_carry_the_row_numbers_excel_shows(tmp_path):
    path = register_xlsx(tmp_path / "r.xlsx", [[1, "张三", "x", None, None, 2]], total=False)
    sheet = open_sheet(path)
    got = rows(sheet)
    assert [n for n, _c in got] == [1, 2, 3, 4]
    assert got[0][1][0] == TITLE
    assert got[2][1][:3] == ["序号", "租户姓名", "身份证号码(必填)"]
    assert sheet.last_row == 4


def test_data_that_starts_lower_and_further_right_keeps_its_place(tmp_path):
    book = openpyxl.Workbook()
    book.active["C4"] = "姓名"
    book.active["D6"] = "张三"
    book.save(tmp_path / "offset.xlsx")
    got = dict(open_sheet(tmp_path / "offset.xlsx").rows())
    assert got[4][2] == "姓名"  # row 4, column C
    assert got[6][3] == "张三"  # row 6, column D
    assert max(got) == 6


def test_first_visible_sheet_with_data_is_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"  # empty
    hidden = book.create_sheet("lists")
    hidden["A1"] = "hidden lookup list"
    hidden.sheet_state = "hidden"
    book.create_sheet("租户")["A1"] = "姓名"
    book.save(tmp_path / "sheets.xlsx")
    sheet = open_sheet(tmp_path / "sheets.xlsx")
    assert sheet.name == "租户"


def test_xls_is_read_and_not_mistaken_for_an_encrypted_file(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("登记表")
    sheet.write(1, 0, "姓名")
    sheet.write(1, 1, "来恩日期")
    sheet.write(2, 0, "张三")
    sheet.write(2, 1, dt.datetime(2020, 2, 3), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    book.save(tmp_path / "old.xls")
    got = dict(open_sheet(tmp_path / "old.xls").rows())
    assert got[2] == ["姓名", "来恩日期"]
    assert got[3][0] == "张三"
    assert got[3][1] in (dt.date(2020, 2, 3), dt.datetime(2020, 2, 3))


def test_a_workbook_with_the_wrong_extension_still_opens(tmp_path):
    path = register_xlsx(tmp_path / "r.xlsx", [], total=False)
    renamed = tmp_path / "r.xls"
    renamed.write_bytes(path.read_bytes())
    assert open_sheet(renamed).last_row == 3


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_the_encodings_chinese_excel_writes(tmp_path, encoding):
    path = tmp_path / "register.csv"
    path.write_bytes(GBK_CSV.encode(encoding))
    got = rows(open_sheet(path))
    assert got[0] == (1, ["姓名", "身份证号码", "来恩日期"])
    assert got[2] == (3, ["李四", "44078519900101123X", "2020/2/4"])


def test_tab_separated_unicode_text_from_excel(tmp_path):
    path = tmp_path / "register.txt"
    path.write_bytes(GBK_CSV.replace(",", "\t").encode("utf-16"))
    assert rows(open_sheet(path))[1] == (2, ["张三", "440785199001011234", "2020.2.3"])


def test_csv_from_bytes_and_from_a_stream():
    data = GBK_CSV.encode("gbk")
    assert rows(open_sheet(data, "x.csv"))[1][1][0] == "张三"
    assert rows(open_sheet(io.BytesIO(data), "x.csv"))[1][1][0] == "张三"


def test_csv_quoted_line_break_stays_one_row():
    data = '姓名,地址\n张三,"锦岗村\n3栋502"\n李四,郁文村\n'.encode()
    assert rows(open_sheet(data, "x.csv"))[2] == (3, ["李四", "郁文村"])


def _refusal(source, filename="upload.xlsx") -> str:
    with pytest.raises(SpreadsheetError) as caught:
        open_sheet(source, filename)
    return caught.value.message


def test_empty_files_are_refused(tmp_path):
    assert _refusal(b"") == "The file is empty."
    assert _refusal(b"\r\n \r\n", "x.csv") == "The file is empty."
    assert _refusal(b",,,\r\n,,\r\n", "x.csv") == "The file has no data: every sheet is empty."
    openpyxl.Workbook().save(tmp_path / "blank.xlsx")
    assert _refusal(tmp_path / "blank.xlsx") == "The file has no data: every sheet is empty."


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (PNG, "photo.xlsx"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "scan.xlsx"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.csv"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "export.xls"),
        (b"GIF89a" + bytes(20), "x.csv"),
    ],
)
def test_non_spreadsheets_are_refused(content, filename):
    assert _refusal(content, filename) == (
        "This file is not a spreadsheet. Upload an .xlsx, .xls, .ods or .csv file."
    )


def test_damaged_workbooks_are_refused(tmp_path):
    whole = register_xlsx(tmp_path / "r.xlsx", [[1, "张三", "x", None, None, 2]]).read_bytes()
    damaged = "The file is damaged or incomplete"
    assert _refusal(whole[: len(whole) // 2]).startswith(damaged)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert _refusal(buffer.getvalue()).startswith(damaged)
    assert _refusal(CFB_MAGIC + bytes(1000), "old.xls").startswith(damaged)


PASSWORD_MESSAGE = (
    "The file is protected by a password. Open it in Excel or WPS, remove the password, "
    "save it and upload it again."
)


def test_a_password_protected_xlsx_is_refused(tmp_path):
    plain = register_xlsx(tmp_path / "r.xlsx", [[1, "张三", "x", None, None, 2]])
    encrypted = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, encrypted.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    assert encrypted.read_bytes().startswith(CFB_MAGIC)
    assert _refusal(encrypted) == PASSWORD_MESSAGE
    assert _refusal(encrypted.read_bytes()) == PASSWORD_MESSAGE


def test_a_compound_file_holding_an_encrypted_package_is_refused():
    # The bare shape of an encrypted workbook: the OLE2 signature and the stream's name in a
    # directory entry, far from the start as in a large file.
    crafted = CFB_MAGIC + bytes(3 * 1024 * 1024) + ENCRYPTED_STREAM + bytes(512)
    assert _refusal(crafted) == PASSWORD_MESSAGE
