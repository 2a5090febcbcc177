"""The forms duplicate detection compares: names and addresses without noise."""

import re
import unicodedata

_NOISE = re.compile(r"[\s\-_,.，。、·()（）#＃/\\]+")


def name_norm(name: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", name or "")).lower()[:50]


def address_norm(address: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", address or "")).lower()[:200]
