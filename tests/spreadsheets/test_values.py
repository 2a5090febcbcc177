import datetime as dt

import pytest

from epigrid.spreadsheets.values import (
    CellError,
    cell_text,
    choice_parser,
    is_blank,
    number_text,
    parse_bool,
    parse_code,
    parse_date,
    parse_datetime,
    parse_int,
    parse_text,
)

FEB3 = dt.date(2020, 2, 3)


@pytest.mark.parametrize(
    "value",
    [
        43864,  # Excel serial
        43864.0,
        43864.4375,  # serial with a time of day
        "43864",  # a serial that came through a CSV as text
        FEB3,
        dt.datetime(2020, 2, 3, 10, 30),
        "2020.2.3",
        "2020/2/3",
        "2020-02-03",
        "2020年2月3日",
        "2020年02月03日",
        "20200203",
        20200203,  # typed into a number cell
        "2020.02.03 10:30",
        "2020-02-03 10:30:15",
        "2020-02-03T10:30",
        "２０２０．２．３",  # full-width
        " 2020 . 2 . 3 ",
    ],
)
def test_dates_villages_type(value):
    assert parse_date(value) == FEB3


def test_datetime_keeps_the_time():
    assert parse_datetime("2020.02.03 10:30") == dt.datetime(2020, 2, 3, 10, 30)
    assert parse_datetime("2020年2月3日 10时30分") == dt.datetime(2020, 2, 3, 10, 30)
    assert parse_datetime(43864.4375) == dt.datetime(2020, 2, 3, 10, 30)
    assert parse_datetime(FEB3) == dt.datetime(2020, 2, 3)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020.2.30", "There is no such date: 2020.2.30."),
        ("2019-02-29", "There is no such date: 2019-02-29."),
        ("2020-13-01", "There is no such date: 2020-13-01."),
        ("20201301", "There is no such date: 20201301."),
        ("2020.02.03 25:00", "There is no such date: 2020.02.03 25:00."),
        ("1850-01-01", "1850-01-01 is outside the years 1900 to 2099."),
        (dt.date(2150, 1, 1), "2150-01-01 is outside the years 1900 to 2099."),
        (12, "12 is not a date. Enter a date, for example 2020-02-03."),
        (3000000.0, "3000000 is not a date. Enter a date, for example 2020-02-03."),
        ("next Tuesday", "Enter a date, for example 2020-02-03."),
        ("2月3日", "Enter a date, for example 2020-02-03."),
        (True, "Enter a date, for example 2020-02-03."),
        (dt.time(10, 30), "Enter a date, for example 2020-02-03."),
        (float("nan"), "Enter a date, for example 2020-02-03."),
        (10**30, "Enter a date, for example 2020-02-03."),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(value, message):
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert caught.value.message == message


def test_text_is_tidied_but_chinese_kept():
    assert parse_text("  张　三  ") == "张 三"
    assert parse_text("ＡＢＣ１２３") == "ABC123"
    assert parse_text("锦岗村\n3栋\t502") == "锦岗村 3栋 502"
    assert parse_text("a\x00b\x07c") == "a b c"
    assert parse_text("\u200b王五\ufeff") == "王五"
    assert parse_text(3.0) == "3"
    assert parse_text(0.1 + 0.2) == "0.3"
    assert parse_text(FEB3) == "2020-02-03"


def test_codes_lose_their_spaces_and_full_width_digits():
    assert parse_code("440785 19900101 1234") == "440785199001011234"
    assert parse_code("４４０７８５１９９００１０１１２３ｘ") == "44078519900101123x"
    assert parse_code("'440785199001011234") == "440785199001011234"
    assert parse_code(13812345678.0) == "13812345678"
    assert parse_code(138_1234_5678) == "13812345678"


@pytest.mark.parametrize("value", [4.40785199001011e17, "4.40785E+17", "4.40785e17"])
def test_an_id_number_stored_as_a_number_is_refused(value):
    with pytest.raises(CellError, match="Excel has already cut its last digits"):
        parse_code(value)


def test_whole_numbers():
    assert parse_int(3) == 3
    assert parse_int(3.0) == 3
    assert parse_int("３") == 3
    assert parse_int("1,000") == 1000
    assert parse_int(" 7 ") == 7
    for bad in (2.5, "two", "", True, float("inf"), "1e5"):
        with pytest.raises(CellError, match=r"Enter a whole number\."):
            parse_int(bad)


def test_yes_no_and_choices():
    assert parse_bool("是") is True
    assert parse_bool("√") is True
    assert parse_bool("否") is False
    assert parse_bool(False) is False
    with pytest.raises(CellError):
        parse_bool("maybe")
    sex = choice_parser({"男": "m", "男性": "m", "女": "f", "女性": "f", "M": "m", "F": "f"})
    assert sex(" 女 ") == "f"
    assert sex("m") == "m"
    with pytest.raises(CellError, match=r"Choose one of: 男、男性、女、女性、M、F\."):
        sex("未知")


def test_a_choice_of_enum_members_gives_plain_values():
    from epigrid.registry.models import RentalKind

    kind = choice_parser({"公寓": RentalKind.SERVICED_APARTMENT})
    value = kind("公寓")
    assert type(value) is str
    assert value == "serviced_apartment"


def test_blank_and_display():
    assert is_blank(None) and is_blank("") and is_blank(" \u3000 ") and is_blank("\u200b")
    assert not is_blank(0) and not is_blank("0") and not is_blank(False)
    assert number_text(4.407851990010113e17) == "440785199001011000"  # what Excel shows
    assert number_text(1.5) == "1.5"
    assert cell_text(dt.datetime(2020, 2, 3, 10, 30)) == "2020-02-03 10:30"
    assert cell_text(None) == ""
