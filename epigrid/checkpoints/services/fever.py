"""Writes: a fever found at a checkpoint ("five earlies"): the person's registry record, the
key-person category, and an alert with its referral in the quarantine app.

`fever_found` is called by the ingest service inside the transaction that stores the check,
once per stored check that has at least one fever reading.
"""

from epigrid.accounts.access import Actor

from ..models import Check, CheckPerson


def fever_found(*, actor: Actor, check: Check, entries: list[CheckPerson]) -> None:
    """Placeholder until the fever part lands: records nothing beyond the check itself."""
    return None
