"""Phone numbers people type: validated with phonenumbers, stored in one form."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str, field: str = "phone") -> str:
    """Mainland numbers as national digits (13812345678, 075012345678), others as E.164;
    '' stays ''. Full-width digits and spaces are accepted."""
    raw = (raw or "").strip()
    if not raw:
        return ""
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
