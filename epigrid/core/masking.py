"""Masking of personal identifiers in lists and exports."""


def mask_phone(phone: str) -> str:
    """Keeps the first three and last four digits: enough to tell numbers apart, not to call."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
