"""Hand-over notes: written on a shift for the next one, never edited."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot

from .. import selectors
from ..models import HandoverNote, Shift
from .shifts import require_open

NOTE_MAX = 2000
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


# --- hand-over notes ----------------------------------------------------------------------


def may_hand_over(actor: Actor, shift: Shift) -> bool:
    """Someone on the shift (with the roster view) or a roster manager of its post."""
    if actor.can(Capability.ROSTERS_MANAGE, shift.jpath):
        return True
    return actor.has(Capability.ROSTERS_VIEW) and selectors.staff_is_on(actor=actor, shift=shift)


def _clean_note(text: str | None) -> str:
    """Keeps line breaks (a hand-over lists things), trims each line and blank runs."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").split("\n")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not cleaned:
        raise ValidationError({"text": _("This field is required.")})
    if len(cleaned) > NOTE_MAX:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    return cleaned


@transaction.atomic
def handover_add(*, actor: Actor, shift: Shift, text: str) -> HandoverNote:
    """Writes a hand-over note on a shift that has begun and was not cancelled. Notes are
    never edited: a correction is another note."""
    if not may_hand_over(actor, shift):
        visible = selectors.visible_shifts(actor).filter(pk=shift.pk).exists()
        if visible:
            raise PermissionDenied
        raise Http404
    require_open(shift)
    text = _clean_note(text)
    if shift.starts_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"text": _("This shift has not begun yet.")})
    staff = selectors.staff_of(actor)
    on_shift = staff if staff and selectors.staff_is_on(actor=actor, shift=shift) else None
    note = HandoverNote.objects.create(
        shift=shift,
        jpath=shift.jpath,
        text=text,
        written_by=actor.user,
        written_by_staff=on_shift,
        written_by_name=on_shift.name if on_shift else actor.label,
    )
    audit_record(
        actor=actor,
        action="handover.add",
        obj=note,
        jpath=note.jpath,
        after=snapshot(note),
    )
    return note
