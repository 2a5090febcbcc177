import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import check_end_date, clean_text
from epigrid.geo.models import Jurisdiction

from ..models import Arrival, Person, RiskArea, Transport

CODE_RE = re.compile(r"^\d{2,12}$")


def _root_path() -> str:
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
    return root.path if root else ""


def touches_risk_area(on: dt.date, codes: list[str]) -> bool:
    """Whether any of the region codes lies in a risk area in force on `on`."""
    areas = RiskArea.objects.filter(RiskArea.active_on_q(on)).values_list("region_code", flat=True)
    return any(code.startswith(area) for area in areas for code in codes if code)


def _clean_codes(codes: list[str] | None, field: str) -> list[str]:
    cleaned = [str(c).strip() for c in (codes or []) if str(c).strip()]
    for code in cleaned:
        if not CODE_RE.match(code):
            raise ValidationError({field: _("A region code is 2 to 12 digits.")})
    return cleaned


@transaction.atomic
def arrival_record(
    *,
    actor: Actor,
    person: Person,
    arrived_on: dt.date,
    from_place: str,
    from_code: str = "",
    via_codes: list[str] | None = None,
    transport: str = "",
    trip_number: str = "",
    recorded_on: dt.date | None = None,
) -> tuple[Arrival, bool]:
    """Records an arrival; the same person, day and origin again changes nothing.
    Returns (arrival, created)."""
    require_can(actor, Capability.REGISTRY_MANAGE, person.jpath)
    if person.is_merged:
        raise ValidationError({"person": _("This record was merged into another one.")})
    today = timezone.localdate()
    if arrived_on > today:
        raise ValidationError({"arrived_on": _("An arrival cannot be in the future.")})
    from_place = clean_text(from_place, "from_place", 100)
    (from_code,) = _clean_codes([from_code], "from_code") or [""]
    via = _clean_codes(via_codes, "via_codes")
    if transport and transport not in Transport.values:
        raise ValidationError({"transport": _("Choose one of the allowed values.")})
    existing = Arrival.objects.filter(
        person=person, arrived_on=arrived_on, from_place=from_place
    ).first()
    if existing is not None:
        return existing, False
    arrival = Arrival.objects.create(
        person=person,
        jpath=person.jpath,
        arrived_on=arrived_on,
        from_place=from_place,
        from_code=from_code,
        via_codes=via,
        transport=transport,
        trip_number=clean_text(trip_number, "trip_number", 30, required=False),
        touches_risk_area=touches_risk_area(arrived_on, [from_code, *via]),
        recorded_on=recorded_on or today,
    )
    audit_record(
        actor=actor,
        action="arrival.create",
        obj=arrival,
        jpath=arrival.jpath,
        after=snapshot(arrival),
    )
    return arrival, True


def _reassess(since: dt.date, prefix: str) -> int:
    """Re-derives the risk flag of arrivals a change of area `prefix` may affect."""
    changed = 0
    rows = Arrival.objects.filter(arrived_on__gte=since).filter(
        Q(from_code__startswith=prefix) | Q(via_codes__icontains=prefix)
    )
    for arrival in rows.iterator():
        flag = touches_risk_area(arrival.arrived_on, [arrival.from_code, *arrival.via_codes])
        if flag != arrival.touches_risk_area:
            Arrival.objects.filter(pk=arrival.pk).update(touches_risk_area=flag)
            changed += 1
    return changed


@transaction.atomic
def risk_area_create(
    *, actor: Actor, name: str, region_code: str, active_from: dt.date
) -> RiskArea:
    """Lists an epidemic source area from a date (policy: headquarters over the whole tree);
    arrivals since then are judged again."""
    root = _root_path()
    require_can(actor, Capability.POLICY_MANAGE, root)
    (code,) = _clean_codes([region_code], "region_code") or [""]
    if not code:
        raise ValidationError({"region_code": _("This field is required.")})
    area = RiskArea.objects.create(
        name=clean_text(name, "name", 100), region_code=code, active_from=active_from
    )
    reassessed = _reassess(active_from, code)
    audit_record(
        actor=actor,
        action="risk_area.create",
        obj=area,
        jpath=root,
        after={**snapshot(area), "arrivals_reassessed": reassessed},
    )
    return area


@transaction.atomic
def risk_area_end(*, actor: Actor, area: RiskArea, on: dt.date) -> RiskArea:
    """Takes an area off the list from `on`; arrivals from then on are judged again."""
    root = _root_path()
    require_can(actor, Capability.POLICY_MANAGE, root)
    if area.active_until is not None:
        raise ValidationError({"on": _("This area is already off the list.")})
    check_end_date(area.active_from, on)
    before = snapshot(area)
    RiskArea.objects.filter(pk=area.pk).update(active_until=on)
    area.refresh_from_db()
    reassessed = _reassess(on, area.region_code)
    audit_record(
        actor=actor,
        action="risk_area.end",
        obj=area,
        jpath=root,
        before=before,
        after={**snapshot(area), "arrivals_reassessed": reassessed},
    )
    return area
