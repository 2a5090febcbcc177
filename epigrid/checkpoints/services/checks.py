"""Writes: checks made at a checkpoint, one from a phone or up to 500 at once (a phone's
offline queue, a paper sheet, another system through the API).

Each check carries the UUID its device made, so sending it again never stores it twice: a
UUID already stored answers "known" and changes nothing, also when two batches with the same
UUID race (the insert skips a UUID another transaction stored first, and that check answers
"known"). A batch stores its good checks and reports each bad one with a message per field;
nothing of a refused check is written.

The whole batch is one transaction: the checks and their persons inserted in bulk (one
statement each, whatever the batch size), the checkpoint's hourly figures (CheckHour) added
to with one upsert, one audit event for the batch, and `fever.fever_found` for each stored
check with a fever reading. Validation is plain Python before the transaction starts, so on
SQLite the write lock is held only for the inserts.

Choices made here:
- a resident ID number that fails its checks (length, check digit, birth date, region) is
  refused with the reason on its field, so the worker corrects it or leaves it blank; the
  check itself never needs a document number, so a wrong one never blocks the gate;
- the result is "fever" when any reading is a fever under the policy in force on the
  check's local day (`fever_threshold`, `fever_inclusive`); a check sent as "fever" without
  such a reading is refused, since the server would not agree with the device;
- CheckHour.fevers counts persons with a fever reading (each is one referral), like
  CheckHour.persons counts persons; checks, vehicles, nonlocal_vehicles and turned_back
  count checks;
- a checkpoint not in force refuses a check by the check's own local date (before
  active_from, or on or after active_until): a check made while it was open can still be
  synced after it ended;
- `fever.fever_found` gets the stored check and those of its persons with a fever reading;
- a self-fill code is accepted (at most 12 characters) and not used here: the self-fill part
  resolves it before calling this service.
On SQLite the ingest writers of a server queue for the write lock (see `_writer`).
"""

import contextlib
import datetime as dt
import fcntl
import os
import threading
import uuid as uuidlib
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record

from ..models import Check, CheckPerson, Checkpoint, CheckResult, Mode, Source
from . import fever
from .check_input import (
    KNOWN,
    MAX_BATCH,
    MAX_PEOPLE,
    REFUSED,
    SOURCES,
    STORED,
    _Clean,
    _clean,
    _PolicyBook,
    _uuid,
)
from .check_sql import _as_uuid, _known, _run

# Re-exported: pages and the API size their forms and batches by these.
__all__ = ["KNOWN", "MAX_BATCH", "MAX_PEOPLE", "REFUSED", "STORED", "check_record", "checks_ingest"]

# --------------------------------------------------------------------------- services


def _answer(uuid: str, status: str, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"uuid": uuid, "status": status, "errors": errors or {}}


def checks_ingest(
    *, actor: Actor, checkpoint: Checkpoint, items: list[dict], source: str = Source.API
) -> list[dict]:
    """Stores the good checks of `items` at `checkpoint` and answers, per item in order,
    stored / known (UUID already stored) / refused with a message per field. Adds the stored
    checks to the checkpoint's hourly figures, audits the batch once, and calls
    fever.fever_found for each stored check with a fever reading; all in one transaction."""
    require_can(actor, Capability.CHECKS_RECORD, checkpoint.jpath)
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if len(items) > MAX_BATCH:
        raise ValidationError(
            {"checks": _("At most %(n)d checks in one batch.") % {"n": MAX_BATCH}}
        )
    now = timezone.now()
    today = timezone.localdate(now)
    answers: list[dict[str, Any] | None] = [None] * len(items)

    candidates: list[tuple[int, uuidlib.UUID]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            answers[i] = _answer("", REFUSED, {"__all__": _("Each check is an object.")})
            continue
        uuid, problem = _uuid(item.get("uuid"))
        if uuid is None:
            given = item.get("uuid")
            answers[i] = _answer(
                given[:64] if isinstance(given, str) else "", REFUSED, {"uuid": problem}
            )
            continue
        candidates.append((i, uuid))

    known = _known([u for _i, u in candidates])
    policy: _PolicyBook | None = None
    pending: dict[uuidlib.UUID, _Clean] = {}
    for i, uuid in candidates:
        if uuid in known or uuid in pending:  # stored before, or twice in this batch
            answers[i] = _answer(str(uuid), KNOWN)
            continue
        policy = policy or _PolicyBook()
        clean, errors = _clean(
            items[i], i, uuid, checkpoint=checkpoint, now=now, today=today, policy=policy
        )
        if clean is None:
            answers[i] = _answer(str(uuid), REFUSED, errors)
        else:
            pending[uuid] = clean

    if pending:
        with _writer():
            stored = _store(actor, checkpoint, pending, now=now, source=source, answers=answers)
        for uuid, clean in pending.items():
            answers[clean.index] = _answer(str(uuid), STORED if uuid in stored else KNOWN)
    return answers  # type: ignore[return-value]  # every slot is filled


# SQLite has one writer at a time; a writer that finds the lock taken sleeps in SQLite's busy
# handler (1, 2, 5, 10, 15, 20, 25 ... ms) and the lock may then stay free while it sleeps.
# Ingest writers queue instead: the threads of one process on a lock, the processes of one
# server on an advisory file lock beside the database file, so each is handed the turn as
# soon as the previous batch commits. (Other writers still meet the busy handler.)
_SQLITE_WRITER = threading.Lock()
_LOCK_FILES: dict[str, int] = {}


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    fd = _LOCK_FILES.get(path)
    if fd is None:
        fd = _LOCK_FILES[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def _writer() -> Iterator[None]:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        # Not SQLite, or already inside a transaction (which may hold SQLite's lock):
        # queueing here could wait for a writer that waits for this one.
        yield
        return
    with _SQLITE_WRITER:
        if connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite only
            yield
            return
        with _file_lock(f"{connection.settings_dict['NAME']}.ingest-lock"):
            yield


def check_record(
    *, actor: Actor, checkpoint: Checkpoint, item: dict, source: str = Source.DEVICE
) -> dict:
    """One check (see checks_ingest): its answer."""
    return checks_ingest(actor=actor, checkpoint=checkpoint, items=[item], source=source)[0]


@transaction.atomic
def _store(
    actor: Actor,
    checkpoint: Checkpoint,
    pending: dict[uuidlib.UUID, _Clean],
    *,
    now: dt.datetime,
    source: str,
    answers: list[dict[str, Any] | None],
) -> set[uuidlib.UUID]:
    """Inserts the checks whose UUID nobody stored meanwhile, their persons and figures;
    returns the UUIDs it stored."""
    # UUID order: two transactions inserting overlapping batches take the unique index's
    # entries in the same order (no deadlock on PostgreSQL).
    ordered = sorted(pending.values(), key=lambda c: c.uuid)
    user_id = actor.user.pk if actor.user is not None else None
    jpath = checkpoint.jpath
    inserted = _run(
        "check",
        [
            (
                c.uuid,
                jpath,
                checkpoint.pk,
                c.checked_at,
                now,
                c.mode,
                c.plate,
                c.prefix,
                c.nonlocal_vehicle,
                len(c.people),
                c.origin,
                c.destination,
                c.result,
                source,
                c.note,
                user_id,
            )
            for c in ordered
        ],
    )
    ids = {_as_uuid(u): pk for pk, u in inserted}
    stored = [c for c in ordered if c.uuid in ids]
    if not stored:
        return set()

    person_rows = [
        (ids[c.uuid], seq, name, doc_type, number, phone, t, is_fever, None)
        for c in stored
        for seq, (name, doc_type, number, phone, t, is_fever) in enumerate(c.people, start=1)
    ]
    person_ids = {(check_id, seq): pk for pk, check_id, seq in _run("person", person_rows)}

    hours: dict[dt.datetime, list[Any]] = {}
    for c in stored:
        figures = hours.setdefault(c.hour, [0, 0, 0, 0, 0, 0, c.checked_at])
        figures[0] += 1
        figures[1] += len(c.people)
        figures[2] += c.mode == Mode.VEHICLE
        figures[3] += c.nonlocal_vehicle
        figures[4] += c.fevers
        figures[5] += c.result == CheckResult.TURNED_BACK
        figures[6] = max(figures[6], c.checked_at)
    _run(
        "hour",
        [(jpath, checkpoint.pk, hour, *hours[hour]) for hour in sorted(hours)],
    )

    by_time = sorted(stored, key=lambda c: c.checked_at)
    known = sum(1 for a in answers if a is not None and a["status"] == KNOWN)
    audit_record(
        actor=actor,
        action="checks.ingest",
        obj=checkpoint,
        jpath=jpath,
        after={
            "source": source,
            "stored": len(stored),
            "known": known + len(pending) - len(stored),
            "refused": sum(1 for a in answers if a is not None and a["status"] == REFUSED),
            "fevers": sum(c.fevers for c in stored),
            "uuids": [str(stored[0].uuid), str(stored[-1].uuid)],
            "checked_at": [by_time[0].checked_at.isoformat(), by_time[-1].checked_at.isoformat()],
        },
    )

    for c in stored:
        if not c.fevers:
            continue
        check = Check(
            pk=ids[c.uuid],
            uuid=c.uuid,
            jpath=jpath,
            checkpoint=checkpoint,
            checked_at=c.checked_at,
            received_at=now,
            mode=c.mode,
            plate=c.plate,
            plate_prefix=c.prefix,
            nonlocal_vehicle=c.nonlocal_vehicle,
            persons=len(c.people),
            origin=c.origin,
            destination=c.destination,
            result=c.result,
            source=source,
            note=c.note,
            recorded_by_id=user_id,
        )
        check._state.adding = False
        check._state.db = connection.alias
        entries = []  # the persons with a fever reading
        for seq, (name, doc_type, number, phone, t, is_fever) in enumerate(c.people, start=1):
            if not is_fever:
                continue
            entry = CheckPerson(
                pk=person_ids[(check.pk, seq)],
                check_row=check,
                seq=seq,
                name=name,
                doc_type=doc_type,
                doc_number=number,
                phone=phone,
                temperature=t,
                fever=is_fever,
            )
            entry._state.adding = False
            entry._state.db = connection.alias
            entries.append(entry)
        fever.fever_found(actor=actor, check=check, entries=entries)
    return set(ids)
