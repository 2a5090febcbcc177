"""Phone numbers people type: validated with phonenumbers, stored in one form."""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MOBILE = re.compile(r"^1\d{10}$")


@functools.lru_cache(maxsize=4096)
def _mobile_prefix_valid(prefix: str) -> bool:
    """Mainland mobile validity depends on the number's first digits only (the carriers'
    ranges), so phonenumbers' verdict for one number of a 4-digit prefix holds for all."""
    return phonenumbers.is_valid_number(phonenumbers.parse(prefix + "0000000", "CN"))


def normalize_phone(raw: str, field: str = "phone") -> str:
    """Mainland numbers as national digits (13812345678, 075012345678), others as E.164;
    '' stays ''. Full-width digits and spaces are accepted."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if _MOBILE.match(raw):  # the common case in registers: skip the full parse
        if _mobile_prefix_valid(raw[:4]):
            return raw
        raise ValidationError({field: _("This phone number is not valid.")})
    if len(raw) > 40:
        raise ValidationError({field: _("This is not a phone number.")})
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({field: _("This is not a phone number.")}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({field: _("This phone number is not valid.")})
    if number.country_code == 86:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
