"""Reads for the gate: a repeat visitor found by plate, phone or document number, the opaque
references that let the logging page send such a visitor back without ever holding their
details, the checkpoint a printed QR names, and which check UUIDs the server already holds.

A repeat visitor is answered with only what the check needs: name, document type and masked
number, the plate, where they last came from and went to, and when. Never the full document
number or the phone (the issue: early apps leaked a person's ID to anyone who typed a phone
number). The search runs across every checkpoint in the actor's CHECKS_RECORD scope and
nowhere else: a worker of one grid finds nobody seen only in another grid.

References (`ref`): the page gets, for each person found, a value signed with
django.core.signing that names the earlier CheckPerson row, the checkpoint and the worker it
was given to. The page queues the check with `{"ref": ..., "temperature": ...}` instead of
the person's details; the sync view (views/logging.py) turns the reference back into the
name, document and phone server-side (`people_from_refs`) before the ingest service sees the
check. So the phone never holds a full ID number it did not type, and the ingest contract
(people with name/doc/phone) stays as it is. A reference is refused when its signature is
wrong, it is older than REF_MAX_AGE (a phone may stay offline over a weekend), it was given
to another worker or for another checkpoint, or its row has left the worker's scope.
"""

import datetime as dt
import re
import uuid as uuidlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import Actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.phones import normalize_phone
from epigrid.registry.identity import normalize as normalize_document
from epigrid.registry.masking import mask_doc_number
from epigrid.registry.models import DocType

from .. import rules
from ..models import Check, CheckPerson, Checkpoint

REF_SALT = "epigrid.checkpoints.lookup.ref"
REF_MAX_AGE = dt.timedelta(days=7)
QUERY_MAX = 40  # longer input is no plate, phone or document number
PUBLIC_CODE = re.compile(r"^[A-Za-z0-9_-]{1,12}$")


@dataclass(frozen=True)
class SeenPerson:
    """One person of an earlier check, as a worker may see them."""

    seq: int
    name: str
    doc_type: str
    doc_type_label: str
    doc_masked: str
    ref: str


@dataclass(frozen=True)
class Sighting:
    """The latest check that matched a plate, phone or document number."""

    matched: str  # "plate", "phone" or "doc"
    checked_at: dt.datetime
    checkpoint: str  # its name
    mode: str
    plate: str
    origin: str
    destination: str
    people: tuple[SeenPerson, ...]


@dataclass(frozen=True)
class PersonDetails:
    """What a reference stands for: the details the ingest service takes for a person."""

    name: str
    doc_type: str
    doc_number: str
    phone: str


def _doc_label(doc_type: str) -> str:
    return str(DocType(doc_type).label) if doc_type in DocType.values else ""


def make_ref(*, actor: Actor, checkpoint: Checkpoint, person_id: int) -> str:
    """The signed reference to one CheckPerson row, for this worker at this checkpoint."""
    user_id = actor.user.pk if actor.user is not None else None
    return signing.dumps({"p": person_id, "c": checkpoint.pk, "u": user_id}, salt=REF_SALT)


def _seen(actor: Actor, checkpoint: Checkpoint, p: CheckPerson) -> SeenPerson:
    return SeenPerson(
        seq=p.seq,
        name=p.name,
        doc_type=p.doc_type,
        doc_type_label=_doc_label(p.doc_type),
        doc_masked=mask_doc_number(p.doc_number),
        ref=make_ref(actor=actor, checkpoint=checkpoint, person_id=p.pk),
    )


def _sighting(matched: str, check: Check, people: Iterable[SeenPerson]) -> Sighting:
    return Sighting(
        matched=matched,
        checked_at=timezone.localtime(check.checked_at),
        checkpoint=check.checkpoint.name,
        mode=check.mode,
        plate=check.plate,
        origin=check.origin,
        destination=check.destination,
        people=tuple(people),
    )


def _persons(actor: Actor) -> QuerySet[CheckPerson]:
    return scope(
        CheckPerson.objects.select_related("check_row", "check_row__checkpoint"),
        actor,
        Capability.CHECKS_RECORD,
        field="check_row__jpath",
    )


def _clean_phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except Exception:
        return ""


def visitor_lookup(
    *,
    actor: Actor,
    checkpoint: Checkpoint,
    plate: str | None = None,
    phone: str | None = None,
    doc_number: str | None = None,
) -> list[Sighting]:
    """The latest check in the actor's CHECKS_RECORD scope with this plate (all its people),
    this phone, or this document number (that person), one sighting per criterion given;
    names, document types and masked numbers only, each person with a reference for
    `people_from_refs`. Unreadable input finds nothing. At most four queries."""
    if not actor.can(Capability.CHECKS_RECORD, checkpoint.jpath):
        raise Http404
    found: list[Sighting] = []
    if plate and len(plate) <= QUERY_MAX and (parsed := rules.parse_plate(plate)) is not None:
        check = (
            scope(Check.objects.select_related("checkpoint"), actor, Capability.CHECKS_RECORD)
            .filter(plate=parsed.plate)
            .order_by("-checked_at", "-pk")
            .first()
        )
        if check is not None:
            people = CheckPerson.objects.filter(check_row=check).order_by("seq")
            found.append(_sighting("plate", check, (_seen(actor, checkpoint, p) for p in people)))
    for matched, field, value in (
        ("phone", "phone", _clean_phone(phone) if phone and len(phone) <= QUERY_MAX else ""),
        (
            "doc",
            "doc_number",
            normalize_document(doc_number) if doc_number and len(doc_number) <= QUERY_MAX else "",
        ),
    ):
        if not value:  # not given, or normalised to nothing: no phone / number to look for
            continue
        person = (
            _persons(actor)
            .filter(Q(**{field: value}))
            .order_by("-check_row__checked_at", "-pk")
            .first()
        )
        if person is not None:
            found.append(_sighting(matched, person.check_row, [_seen(actor, checkpoint, person)]))
    return found


def people_from_refs(
    *, actor: Actor, checkpoint: Checkpoint, refs: Iterable[str]
) -> dict[str, PersonDetails]:
    """The details behind each valid reference (see the module's note); a reference that is
    forged, too old, another worker's or checkpoint's, or out of scope is simply absent.
    One query for all of them."""
    user_id = actor.user.pk if actor.user is not None else None
    wanted: dict[str, int] = {}
    for ref in set(refs):
        if not isinstance(ref, str) or len(ref) > 200:
            continue
        try:
            value = signing.loads(ref, salt=REF_SALT, max_age=REF_MAX_AGE)
        except signing.BadSignature:  # also SignatureExpired
            continue
        if (
            isinstance(value, dict)
            and value.get("c") == checkpoint.pk
            and value.get("u") == user_id
            and isinstance(value.get("p"), int)
        ):
            wanted[ref] = value["p"]
    if not wanted:
        return {}
    rows = {
        p["pk"]: p
        for p in _persons(actor)
        .filter(pk__in=set(wanted.values()))
        .values("pk", "name", "doc_type", "doc_number", "phone")
    }
    return {
        ref: PersonDetails(
            name=rows[pk]["name"],
            doc_type=rows[pk]["doc_type"],
            doc_number=rows[pk]["doc_number"],
            phone=rows[pk]["phone"],
        )
        for ref, pk in wanted.items()
        if pk in rows
    }


def known_uuids(uuids: Iterable[object]) -> set[str]:
    """Which of these check UUIDs (as the page sent them) the server already stored, in
    their canonical text form. Unreadable ones are not known."""
    parsed = set()
    for value in uuids:
        if isinstance(value, str) and len(value) <= 64:
            try:
                parsed.add(uuidlib.UUID(value.strip()))
            except ValueError:
                continue
    if not parsed:
        return set()
    return {str(u) for u in Check.objects.filter(uuid__in=parsed).values_list("uuid", flat=True)}


def selffill_checkpoint(public_code: str, *, today: dt.date | None = None) -> Checkpoint:
    """The checkpoint a printed QR names, while it is in force; else 404 (public: no actor)."""
    if not isinstance(public_code, str) or not PUBLIC_CODE.match(public_code):
        raise Http404
    day = today or timezone.localdate()
    checkpoint = (
        Checkpoint.objects.filter(public_code=public_code)
        .filter(Checkpoint.active_on_q(day))
        .only("pk", "name", "jpath", "public_code", "active_from", "active_until")
        .first()
    )
    if checkpoint is None:
        raise Http404
    return checkpoint
