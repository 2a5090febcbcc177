"""Resident identity numbers (GB 11643) as people type them, checked with python-stdnum's pieces.

python-stdnum's `cn.ric.validate` also insists that the region code existed in the birth
year, which rejects real people: the code is where the number was issued, not where the person
was born (someone born in 1990 and registered in Enping after 1994 carries 440785, a code
created in 1994). Here that mismatch is a note on the record, never a refusal.
"""

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric

EXCEL_FLOAT = re.compile(r"^\d(\.\d+)?E\+?\d+$")


_SEPARATORS = re.compile(r"[\s\-_·]")


def normalize(raw: object) -> str:
    """Full-width digits and letters to ASCII, spaces and dashes out, upper case."""
    text = str(raw or "")
    if not text.isascii():  # ASCII is its own NFKC form
        text = unicodedata.normalize("NFKC", text)
    if not text.isalnum():  # letters and digits only: no separator to take out
        text = _SEPARATORS.sub("", text)
    return text.upper()


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "m" or "f"
    note: str  # "" or why the number looks odd but is accepted


def _region(number: str) -> tuple[bool, bool, str]:
    """(known code, in use in the birth year, place name) for the number's first six digits."""
    return _region_in(number[:6], int(number[6:10]))


@functools.lru_cache(maxsize=16384)
def _region_in(code: str, year: int) -> tuple[bool, bool, str]:
    # Cached: a register holds a few regions and some decades of birth years.
    province, counties = _region_info(code)
    if not counties:
        return False, False, ""
    names = []
    for entry in counties.split(","):
        if not entry.startswith("["):
            return True, True, province + entry
        span, name = entry[1:].split("]")
        start, end = span.split("-")
        names.append(name)
        if (not start or year >= int(start)) and (not end or year <= int(end)):
            return True, True, province + name
    return True, False, province + (names[-1] if names else "")


@functools.lru_cache(maxsize=8192)
def _region_info(code: str) -> tuple[str, str]:
    """(province, county entries with their year spans) from python-stdnum's region table.
    Cached: a register repeats the same few regions thousands of times."""
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    return info.get("province", ""), info.get("county", "")


@functools.lru_cache(maxsize=1024)
def _region_note(code: str, place: str, year: int, language: str | None) -> str:
    # Cached: the same note for every number of a region and birth year (in one language).
    return _(
        "Region code %(code)s (%(place)s) did not exist in %(year)d: the number was issued "
        "later, which is normal."
    ) % {"code": code, "place": place, "year": year}


def check_resident_id(raw: object, *, today: dt.date | None = None) -> ResidentId:
    """The number in its stored form with birth date and sex, or a ValidationError saying what
    is wrong in words a grid worker can act on."""
    text = str(raw or "").strip()
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)
    if ("E" in folded or "e" in folded) and EXCEL_FLOAT.match(folded.upper()):
        raise ValidationError(
            _(
                "This number went through Excel as a number and lost its last digits; "
                "it can never be valid. Type it again from the card, as text."
            )
        )
    number = normalize(text)
    if not number:
        raise ValidationError(_("Enter the identity number."))
    if len(number) != 18:
        raise ValidationError(
            _("An identity number has 18 characters; this one has %(n)d.") % {"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An identity number is 17 digits and a last digit or X."))
    if ric.calc_check_digit(number) != number[17]:
        if number.endswith("000"):
            # Excel keeps 15 significant digits: a number stored as a number comes back
            # with its last three digits turned to zeros.
            raise ValidationError(
                _(
                    "The last digits were lost in Excel (they became 000); "
                    "type the number again from the card, as text."
                )
            )
        raise ValidationError(
            _("The check character does not match: a digit was probably mistyped.")
        )
    try:
        # What ric.get_birth_date does, without compacting the number a second time.
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(_("The birth date in this number does not exist.")) from exc
    if birth > (today or dt.date.today()) or birth.year < 1880:
        raise ValidationError(_("The birth date in this number is impossible."))
    known, in_use, place = _region(number)
    if not known:
        raise ValidationError(_("The first six digits are not a region code."))
    note = "" if in_use else _region_note(number[:6], place, birth.year, get_language())
    sex = "m" if int(number[16]) % 2 == 1 else "f"
    return ResidentId(number=number, birth_date=birth, sex=sex, note=note)
