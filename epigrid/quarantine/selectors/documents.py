"""The printable notices of a case: the home-quarantine notice (居家隔离告知书) and the release
notice (解除居家隔离告知书). Always in Chinese: they are handed to the person as official
paper. Reading one shows personal data, so each read is audited ("case.document")."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.masking import mask_phone
from epigrid.geo.models import Jurisdiction, Kind
from epigrid.policy.registry import OBSERVATION_DAYS
from epigrid.registry.masking import mask_doc_number
from epigrid.workforce.models import StaffCategory, TeamMembership

from .. import rules
from ..models import EndReason, ObservationCase, Regime

# The documents are Chinese whatever the reader's language.
REGIME_ZH: dict[str, str] = {
    Regime.HOME_QUARANTINE: "居家隔离",
    Regime.HOME_OBSERVATION: "居家健康观察",
    Regime.CENTRALISED: "集中隔离",
}
CATEGORY_ZH: dict[str, str] = {
    StaffCategory.CADRE: "干部",
    StaffCategory.FAMILY_DOCTOR: "家庭医生",
    StaffCategory.POLICE: "民警",
}
DOCUMENTS = ("notice", "release")


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def release_ready(case: ObservationCase, today: dt.date | None = None) -> bool:
    """A release notice is due once the case was closed as completed, or (still open) its
    release date has come. A case closed for another reason (referred for diagnosis,
    transferred, lost, cancelled) was not released from observation: no notice."""
    if case.closed_at is not None:
        return case.end_reason == EndReason.COMPLETED
    today = today or timezone.localtime(timezone.now(), rules.zone()).date()
    return today >= case.end_date


def release_day(case: ObservationCase) -> dt.date:
    if case.closed_at is not None:
        return min(timezone.localtime(case.closed_at, rules.zone()).date(), case.end_date)
    return case.end_date


def _ancestors(path: str) -> list[str]:
    parts = path.rstrip(".").split(".")
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def case_document(*, actor: Actor, case: ObservationCase, document: str) -> dict[str, Any]:
    """What a notice of `case` (read through case_get) prints, and an audit event of the
    read: who printed whose notice, when. Three queries and the audit insert."""
    assert document in DOCUMENTS
    policy = case.policy
    nodes = {
        n.kind: n
        for n in Jurisdiction.objects.filter(path__in=_ancestors(case.jpath)).order_by("depth")
    }
    subdistrict = nodes.get(Kind.SUBDISTRICT)
    village = nodes.get(Kind.VILLAGE) or nodes.get(Kind.COMMUNITY)
    members = []
    if case.team_id is not None:
        members = [
            m.staff
            for m in TeamMembership.objects.filter(team_id=case.team_id, active_until__isnull=True)
            .select_related("staff")
            .order_by("staff__category", "staff__name")
        ]
    person = case.person
    address = ""
    if person.current_unit_id is not None:
        unit = type(person).objects.select_related("current_unit__building").get(pk=person.pk)
        if unit.current_unit is not None:
            address = f"{unit.current_unit.building.address} {unit.current_unit.label}".strip()
    show_ids = actor.can(Capability.IDS_VIEW, case.jpath)
    show_phones = actor.can(Capability.CONTACTS_VIEW, case.jpath)
    threshold = rules.fever_threshold(policy)
    inclusive = bool(policy.get("fever_inclusive", True))
    regime = REGIME_ZH.get(case.regime, case.regime)
    release_on = release_day(case)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="case.document",
            obj=case,
            jpath=case.jpath,
            after={"document": document},
        )
    return {
        "case": case,
        "document": document,
        "regime": regime,
        "title": f"{regime}告知书" if document == "notice" else f"解除{regime}告知书",
        "name": person.name,
        "doc_number": person.doc_number if show_ids else mask_doc_number(person.doc_number),
        "address": address,
        "grid": case.jurisdiction.name,
        "village": village.name if village else "",
        "subdistrict": subdistrict.name if subdistrict else "",
        "team": case.team.name if case.team else "",
        "members": [
            {
                "name": s.name,
                "role": CATEGORY_ZH.get(s.category, ""),
                "phone": s.phone if show_phones else mask_phone(s.phone),
            }
            for s in members
        ],
        "start": zh_date(case.start_date),
        "last_day": zh_date(case.end_date - dt.timedelta(days=1)),
        "end": zh_date(case.end_date),
        "release_on": zh_date(release_on),
        "period_days": (case.end_date - case.start_date).days,
        "policy_days": int(policy.get(OBSERVATION_DAYS.key, OBSERVATION_DAYS.default)),
        "per_day": len(rules.deadlines(policy)),
        "deadlines": "、".join(t.strftime("%H:%M") for t in rules.deadlines(policy)),
        "fever": f"{'≥' if inclusive else '>'}{threshold}°C",
        "symptoms": "、".join(s["zh"] for s in rules.symptom_list(policy)),
        "issued_on": zh_date(
            timezone.localtime(case.opened_at, rules.zone()).date()
            if document == "notice"
            else release_on
        ),
    }
