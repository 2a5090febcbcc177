"""Login throttling: repeated failures for one username, or very many from one address, lock
further tries for a while.

Kept in the cache (the database cache by default, Redis when configured) so every server
process shares the count. The address limit is much higher than the username one: a village
office shares one address, and one person mistyping must not lock out everybody there.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _digest(s: str) -> str:
    return hashlib.sha256(s.strip().lower().encode()).hexdigest()[:32]


def _limits(username: str, address: str) -> list[tuple[str, int]]:
    return [
        (f"login-fail:u:{_digest(username)}", settings.LOGIN_THROTTLE_FAILURES),
        (f"login-fail:a:{_digest(address)}", settings.LOGIN_THROTTLE_ADDRESS_FAILURES),
    ]


def is_locked(username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _limits(username, address))


def record_failure(username: str, address: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key, _limit in _limits(username, address):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)
        else:
            # incr() re-saves with the cache's default timeout on some backends: the window
            # runs from the latest failure.
            cache.touch(key, timeout=window)


def clear(username: str, address: str) -> None:
    # Only the username's count: the address keeps its count.
    cache.delete(_limits(username, address)[0][0])


def window_minutes() -> int:
    return max(1, round(settings.LOGIN_THROTTLE_WINDOW_SECONDS / 60))
