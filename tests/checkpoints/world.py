"""The checkpoints part of a test world (tests/world.py).

`make_checkpoint` writes a checkpoint straight to its table so tests of checks, logging,
self-fill, fever and rollups do not depend on the checkpoint-register services; tests of
those services register checkpoints through them.
"""

import datetime as dt
import itertools
import secrets

from django.utils import timezone

from epigrid.checkpoints.models import Checkpoint, CheckpointKind

_seq = itertools.count(1)

OPENED = dt.date(2020, 1, 25)  # checkpoints of the test world exist from this day


def local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_checkpoint(
    world,
    *,
    grid: str = "grid_a",
    name: str | None = None,
    kind: str = CheckpointKind.VILLAGE_ENTRANCE,
    active_from: dt.date = OPENED,
    opens_at: int = 0,
    closes_at: int = 24 * 60,
) -> Checkpoint:
    node = world.nodes[grid]
    return Checkpoint.objects.create(
        name=name or f"检测点{next(_seq)}",
        kind=kind,
        jurisdiction=node,
        jpath=node.path,
        active_from=active_from,
        opens_at=opens_at,
        closes_at=closes_at,
        public_code=secrets.token_urlsafe(6)[:8],
    )
