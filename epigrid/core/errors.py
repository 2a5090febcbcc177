"""Errors that services raise; views and the API turn them into messages, never a 500."""

from django.utils.translation import gettext_lazy as _


class ConcurrentEditError(Exception):
    """Somebody else saved the record after this editor loaded it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _("Someone else changed this record after you opened it. Reload it and try again.")
        )
