"""Writes of duty rosters: posts, shifts, who is on them, and hand-over notes. Each service
validates, runs in one transaction and writes an audit event.

Rules kept here:
- a shift lasts at most 24 hours, ends after it starts, and lies inside the post's active
  dates; it may run past midnight;
- the people on a shift are current grid workers of the post's area, inside it or above it
  (a village cadre at a grid's post, a grid worker at the village's monitoring desk), never
  of a sibling area;
- nobody is on two overlapping shifts (back-to-back is fine); the refusal names the other
  shift;
- a hand-over note is written by someone on the shift, or by a roster manager, once the
  shift has begun.
"""

from .handovers import CLOCK_SKEW, NOTE_MAX, handover_add, may_hand_over
from .posts import parse_hhmm, post_close, post_create, post_update
from .shifts import (
    MAX_MEMBERS,
    MAX_SHIFT,
    shift_cancel,
    shift_create,
    shift_member_add,
    shift_member_remove,
    shift_update,
)

__all__ = [
    "CLOCK_SKEW",
    "MAX_MEMBERS",
    "MAX_SHIFT",
    "NOTE_MAX",
    "handover_add",
    "may_hand_over",
    "parse_hhmm",
    "post_close",
    "post_create",
    "post_update",
    "shift_cancel",
    "shift_create",
    "shift_member_add",
    "shift_member_remove",
    "shift_update",
]
