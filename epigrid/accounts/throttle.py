"""Login throttling: repeated failures for one username or from one address lock further tries.

Kept in the cache (the database cache by default, Redis when configured) so every server
process shares the count.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    def digest(s: str) -> str:
        return hashlib.sha256(s.strip().lower().encode()).hexdigest()[:32]

    return [f"login-fail:u:{digest(username)}", f"login-fail:a:{digest(address)}"]


def is_locked(username: str, address: str) -> bool:
    limit = settings.LOGIN_THROTTLE_FAILURES
    return any((cache.get(k) or 0) >= limit for k in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key in _keys(username, address):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def clear(username: str, address: str) -> None:
    # Only the username count: a shared address (a village office NAT) keeps its count.
    cache.delete(_keys(username, address)[0])
