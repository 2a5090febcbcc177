"""Identity numbers are masked in lists and exports unless the role and purpose need them."""


def mask_doc_number(number: str) -> str:
    """Keeps the region (first 6) and the last 4 characters: enough to tell records apart."""
    if not number:
        return ""
    if len(number) <= 8:
        return number[:2] + "*" * (len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
