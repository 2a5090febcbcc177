"""Plate parsing and local prefixes (epigrid.checkpoints.rules): no database."""

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from epigrid.checkpoints.rules import CITIES, PROVINCES, Plate, is_local, parse_plate

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
ALNUM = LETTERS + string.digits


@pytest.mark.parametrize(
    ("text", "plate", "prefix", "province", "city"),
    [
        ("粤J12345", "粤J12345", "粤J", "广东", "江门"),
        ("粤J·12345", "粤J12345", "粤J", "广东", "江门"),
        ("粤j 123 45", "粤J12345", "粤J", "广东", "江门"),
        ("粤Ｊ１２３４５", "粤J12345", "粤J", "广东", "江门"),
        ("  粤a-b1234 ", "粤AB1234", "粤A", "广东", "广州"),
        ("粤S12345", "粤S12345", "粤S", "广东", "东莞"),
        ("粤Z1234港", "粤Z1234港", "粤Z", "广东", "港澳"),
        ("粤Z·A123澳", "粤ZA123澳", "粤Z", "广东", "港澳"),
        ("粤B1234学", "粤B1234学", "粤B", "广东", "深圳"),
        ("粤JD12345", "粤JD12345", "粤J", "广东", "江门"),  # new energy: six characters
        ("粤J12345D", "粤J12345D", "粤J", "广东", "江门"),
        ("京A12345", "京A12345", "京A", "北京", "北京"),
        ("湘A88888", "湘A88888", "湘A", "湖南", "长沙"),
        ("湘B88888", "湘B88888", "湘B", "湖南", ""),
        ("蒙A12345", "蒙A12345", "蒙A", "内蒙古", "呼和浩特"),
        ("黑A1234挂", "黑A1234挂", "黑A", "黑龙江", "哈尔滨"),
    ],
)
def test_parses_plates(text, plate, prefix, province, city):
    assert parse_plate(text) == Plate(plate=plate, prefix=prefix, province=province, city=city)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "粤",
        "粤J",
        "粤J1234",  # too short
        "粤J1234567",  # too long
        "粤I12345",  # no I as the city letter
        "粤O12345",
        "粤J1234O",  # no O in the number
        "粤J12I45",
        "港A12345",  # not a province character
        "AJ12345",
        "粤JD1234学",  # a suffix only on a five-character plate
        "粤J123学4",
        "粤J12345学",
        "粤J12#45",
        "粤J12345" * 10,
        12345,
    ],
)
def test_refuses_what_is_not_a_plate(text):
    assert parse_plate(text) is None


def test_every_province_has_a_capital():
    assert set(PROVINCES) == {prefix[0] for prefix in CITIES}
    assert all(f"{p}A" in CITIES for p in PROVINCES)
    assert len(PROVINCES) == 31


def test_new_energy_flag():
    assert parse_plate("粤JD12345").new_energy
    assert not parse_plate("粤J12345").new_energy


@pytest.mark.parametrize(
    ("prefix", "local", "expected"),
    [
        ("粤J", ["粤J"], True),
        ("粤A", ["粤J"], False),
        ("粤A", ["粤"], True),
        ("湘A", ["粤"], False),
        ("湘A", ["粤J", "湘A"], True),
        ("粤J", ["粤j"], True),
        ("粤J", [], False),
        ("", ["粤"], False),
    ],
)
def test_is_local(prefix, local, expected):
    assert is_local(prefix, local) is expected


body5 = st.text(alphabet=ALNUM, min_size=4, max_size=4).flatmap(
    lambda head: st.sampled_from([*ALNUM, *"学警挂港澳领"]).map(lambda last: head + last)
)
body6 = st.text(alphabet=ALNUM, min_size=6, max_size=6)


@given(
    province=st.sampled_from(sorted(PROVINCES)),
    letter=st.sampled_from(LETTERS),
    body=st.one_of(body5, body6),
    separator=st.sampled_from(["", " ", "·", "-"]),
    wide=st.booleans(),
    lower=st.booleans(),
)
def test_any_valid_plate_parses_however_typed(province, letter, body, separator, wide, lower):
    typed = f"{province}{letter}{separator}{body}"
    if lower:
        typed = typed.lower()
    if wide:  # full-width forms of ASCII letters and digits
        typed = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in typed)
    plate = parse_plate(typed)
    assert plate is not None
    assert plate.plate == f"{province}{letter}{body}"
    assert plate.prefix == f"{province}{letter}"
    assert plate.province == PROVINCES[province]
    assert is_local(plate.prefix, [province])
    assert parse_plate(plate.plate) == plate  # the stored form parses to itself


@given(st.text(max_size=14))
def test_anything_else_is_none_or_a_well_formed_plate(text):
    plate = parse_plate(text)
    if plate is not None:
        folded = unicodedata.normalize("NFKC", text).upper()
        assert plate.plate[0] in PROVINCES
        assert plate.plate[0] in folded
        assert len(plate.plate) in (7, 8)
        assert "I" not in plate.plate[1:] and "O" not in plate.plate[1:]
