"""Arrival lists: who came back from where, when and how; each row a person and an arrival."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.kinds import BatchResult

from ..models import Arrival
from ..services.arrivals import touches_risk_area
from .people import _audit, _check, _label, _match_persons, _people, _run
from .schemas import ARRIVALS


def prepare_arrivals(rows: list[ParsedRow]) -> None:
    today = timezone.localdate()
    for row in rows:
        row.prepared = _check(row.values, today, False)


def commit_arrivals(actor: Actor, rows: list[ParsedRow], job: Any) -> BatchResult:
    result = BatchResult()
    today = timezone.localdate()
    run = _run(actor, job)
    taken = _people(ARRIVALS, rows, run, today, result)
    future = [r for r in taken if r.source.values["arrived_on"] > today]
    for r in future:
        result.errors.append(
            RowError(
                r.source.row_number,
                _label(ARRIVALS, "arrived_on"),
                str(r.source.values["arrived_on"]),
                _("An arrival cannot be in the future."),
            )
        )
    taken = [r for r in taken if r not in future]
    created_ids, updated_ids = _match_persons(run, taken, today)
    keys = {
        (r.person_id, r.source.values["arrived_on"], r.source.values["from_place"][:100])
        for r in taken
    }
    existing = set(
        Arrival.objects.filter(
            person_id__in={k[0] for k in keys}, arrived_on__in={k[1] for k in keys}
        ).values_list("person_id", "arrived_on", "from_place")
    )
    new = []
    for r in taken:
        v = r.source.values
        key = (r.person_id, v["arrived_on"], v["from_place"][:100])
        if key in existing:
            result.unchanged += 1 if r.person_id not in updated_ids else 0
            result.updated += 1 if r.person_id in updated_ids else 0
            continue
        existing.add(key)
        via = [c for c in (v.get("via") or "").replace("，", ",").split(",") if c.strip().isdigit()]
        codes = [v.get("from_code") or "", *via]
        new.append(
            Arrival(
                person_id=r.person_id,
                jpath=r.person_jpath,
                arrived_on=v["arrived_on"],
                from_place=v["from_place"][:100],
                from_code=(v.get("from_code") or "")[:12],
                via_codes=via,
                transport=v.get("transport") or "",
                trip_number=(v.get("trip_number") or "")[:30],
                touches_risk_area=touches_risk_area(v["arrived_on"], codes),
                recorded_on=today,
            )
        )
        if r.person_id in created_ids:
            result.created += 1
        else:
            result.updated += 1
    Arrival.objects.bulk_create(new, batch_size=1000)
    _audit(actor, job, rows, result)
    return result
