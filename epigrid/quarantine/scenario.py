"""Home quarantine in the reference scenario: of the 161 persons from epidemic source areas
each subdistrict found, 16 were placed under home quarantine (居家隔离), each looked after by
the three-person team of their grid, followed up twice a day by WeChat video.

By 16 February the cases carry their follow-up history: most slots done, a few missed (two in
a row raise an alert, closed once the person was reached again), one fever reading carried
through the "five earlies" to a diagnosis outcome (excluded), health education on the first
day and a few requests for help, two still open. Rows are written in bulk, as the sweep part
does; the services would write them one by one.
"""

import datetime as dt
import itertools
import random
from decimal import Decimal

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.policy.selectors import policy_snapshot
from epigrid.registry.models import PersonCategory
from epigrid.scenarios.builder import AS_OF, ScenarioContext, part
from epigrid.workforce.models import Team, TeamKind, TeamMembership

from . import rules
from .models import (
    Alert,
    AlertOutcome,
    AssistanceRequest,
    CareKind,
    CareNote,
    DiagnosisOutcome,
    FollowUp,
    FollowUpSlot,
    Method,
    NeedKind,
    ObservationCase,
    ReferralEvent,
    ReferralStep,
    Regime,
    Result,
    Trigger,
)

HOME_QUARANTINE = 16  # per subdistrict, of its 161 persons from source areas
FIRST_START = dt.date(2020, 2, 3)
MISSED_SHARE = 0.03
REQUESTS = [
    (NeedKind.FOOD, "代购蔬菜、大米"),
    (NeedKind.MEDICINE, "代购降压药"),
    (NeedKind.FOOD, "代购婴儿奶粉"),
    (NeedKind.COUNSELLING, "隔离期间焦虑，希望有人聊聊"),
    (NeedKind.OTHER, "垃圾清运"),
    (NeedKind.FOOD, "代购日用品"),
]
OPEN_REQUESTS = 2  # the last ones of the list, asked for on the as-of day


def _subdistrict_path(path: str) -> str:
    return ".".join(path.split(".")[:2]) + "."


def _rng(ctx: ScenarioContext) -> random.Random:
    """Every subdistrict draws the same pattern, so its figures are Encheng's exactly and the
    city's are K times them at --scale K."""
    return random.Random(f"{ctx.seed}:quarantine")


def _placements(found: list) -> list[tuple]:
    """Sixteen persons and their start dates, two a day from 3 February, each person placed on
    or after the day the sweep registered them."""
    pool = sorted(found, key=lambda p: (p.registered_on, p.pk))
    used: set[int] = set()
    placed = []
    for i in range(HOME_QUARANTINE):
        start = FIRST_START + dt.timedelta(days=i // 2)
        person = next((p for p in pool if p.pk not in used and p.registered_on <= start), None)
        if person is None:  # too few found that early (another seed): start when found
            person = next(p for p in pool if p.pk not in used)
            start = person.registered_on
        used.add(person.pk)
        placed.append((person, start))
    return placed


@part(order=60)
def build_quarantine(ctx: ScenarioContext) -> None:
    returned = sorted(ctx.data.get("from_risk_areas", []), key=lambda p: p.pk)
    by_sub: dict[str, list] = {}
    for person in returned:
        by_sub.setdefault(_subdistrict_path(person.jpath), []).append(person)
    reason = PersonCategory.objects.get(code="source_area")
    teams = {
        t.jurisdiction_id: t
        for t in Team.objects.filter(kind=TeamKind.THREE_PERSON_TEAM, active_until__isnull=True)
    }
    crews: dict[int, list[int]] = {}
    for team_id, staff_id in TeamMembership.objects.filter(
        team_id__in=[t.pk for t in teams.values()], active_until__isnull=True
    ).values_list("team_id", "staff_id"):
        crews.setdefault(team_id, []).append(staff_id)
    as_of_end = rules.local_midnight(AS_OF + dt.timedelta(days=1))

    cases: list[ObservationCase] = []
    for sub_path in sorted(by_sub):
        for person, start in _placements(by_sub[sub_path]):
            team = teams.get(person.jurisdiction_id)
            cases.append(
                ObservationCase(
                    person=person,
                    reason=reason,
                    regime=Regime.HOME_QUARANTINE,
                    jurisdiction_id=person.jurisdiction_id,
                    jpath=person.jpath,
                    team=team,
                    start_date=start,
                    end_date=start + dt.timedelta(days=14),
                    policy=policy_snapshot(rules.POLICY_KEYS, start),
                    opened_at=rules.local_midnight(start) + dt.timedelta(hours=12),
                    note="排查发现：近14天内来自湖北，居家隔离14天",
                )
            )
    cases = ObservationCase.objects.bulk_create(cases)

    slots: list[FollowUpSlot] = []
    for case in cases:
        for s in rules.plan_slots(case.policy, case.start_date, case.end_date, case.opened_at):
            slots.append(
                FollowUpSlot(
                    case=case,
                    jpath=case.jpath,
                    team=case.team,
                    day=s.day,
                    number=s.number,
                    opens_at=s.opens_at,
                    deadline=s.deadline,
                    ends_at=s.ends_at,
                )
            )
    slots = FollowUpSlot.objects.bulk_create(slots, batch_size=2000)
    by_case: dict[int, list[FollowUpSlot]] = {}
    for slot in slots:
        by_case.setdefault(slot.case_id, []).append(slot)

    # The first case of each subdistrict runs a fever on its third day; the second misses two
    # follow-ups in a row on its fourth.
    fever_slots: set[int] = set()
    forced_missed: set[int] = set()
    still_open: set[int] = set()
    for i in range(0, len(cases), HOME_QUARANTINE):
        first, second = by_case[cases[i].pk], by_case[cases[i + 1].pk]
        fever_slots.add(first[min(5, len(first) - 1)].pk)
        # The third runs a fever on the morning of the as-of day: still being seen to.
        third = by_case[cases[i + 2].pk]
        today = [s for s in third if s.day == AS_OF]
        if today:
            fever_slots.add(today[0].pk)
            still_open.add(today[0].pk)
        forced_missed.update(s.pk for s in second[6:8] if s.deadline < as_of_end)

    followups: list[FollowUp] = []
    for index, case in enumerate(cases):
        if index % HOME_QUARANTINE == 0:
            rng = _rng(ctx)
        crew: list[int | None] = [*crews.get(case.team_id or 0, [])] or [None]
        for slot in by_case[case.pk]:
            if slot.deadline >= as_of_end:
                break
            if slot.pk in forced_missed or (
                slot.pk not in fever_slots and rng.random() < MISSED_SHARE
            ):
                continue
            window = int((slot.deadline - slot.opens_at).total_seconds() // 60)
            taken = slot.deadline - dt.timedelta(minutes=rng.randrange(5, min(window, 240)))
            fever = slot.pk in fever_slots
            followups.append(
                FollowUp(
                    case=case,
                    slot=slot,
                    jpath=case.jpath,
                    method=Method.VIDEO if rng.random() < 0.85 else Method.PHONE,
                    taken_at=taken,
                    staff_id=rng.choice(crew),
                    temperature=Decimal("37.8") if fever else Decimal(rng.randrange(360, 371)) / 10,
                    site="axillary",
                    symptoms=["fever", "cough"] if fever else [],
                    result=Result.UNWELL if fever else Result.WELL,
                )
            )
    followups = FollowUp.objects.bulk_create(followups, batch_size=2000)
    slot_of = {s.pk: s for s in slots}
    filled = []
    for f in followups:
        slot = slot_of[f.slot_id or 0]
        slot.done_at, slot.followup_id = f.taken_at, f.pk
        filled.append(slot)
    FollowUpSlot.objects.bulk_update(filled, ["done_at", "followup"], batch_size=2000)
    latest: dict[int, FollowUp] = {}
    for f in followups:
        if f.case_id not in latest or f.taken_at > latest[f.case_id].taken_at:
            latest[f.case_id] = f
    for case in cases:
        if case.pk in latest:
            case.last_followup_at = latest[case.pk].taken_at
            case.last_temperature = latest[case.pk].temperature
    ObservationCase.objects.bulk_update(cases, ["last_followup_at", "last_temperature"])

    alerts = _alerts(cases, by_case, followups, fever_slots, still_open, as_of_end)
    _care(ctx, cases, crews)

    ctx.count("quarantine_cases", len(cases))
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="quarantine.observationcase",
        entity_id="*",
        entity_label=f"{len(cases)} home-quarantine cases",
        jpath=ctx.data["city"].path,
        after={"cases": len(cases), "followups": len(followups), "alerts": alerts},
    )


def _alerts(cases, by_case, followups, fever_slots, still_open, as_of_end) -> int:
    """The fever alerts, carried to "excluded", and one alert per two missed slots in a row,
    closed as re-checked normal when the person was reached again."""
    case_of = {case.pk: case for case in cases}
    alerts: list[Alert] = []
    steps: list[tuple[int, list[tuple[str, dt.datetime, str]]]] = []  # (alert, steps)
    for f in followups:
        if f.slot_id in fever_slots:
            t = f.taken_at
            diagnosed = t + dt.timedelta(hours=20)
            pending = f.slot_id in still_open
            alerts.append(
                Alert(
                    case_id=f.case_id,
                    person_id=case_of[f.case_id].person_id,
                    jurisdiction_id=case_of[f.case_id].jurisdiction_id,
                    jpath=f.jpath,
                    trigger=Trigger.FEVER,
                    raised_at=t,
                    followup=f,
                    detail="37.8 °C",
                    closed_at=None if pending else diagnosed + dt.timedelta(minutes=30),
                    outcome="" if pending else AlertOutcome.EXCLUDED,
                    close_note="" if pending else "核酸检测阴性，排除",
                )
            )
            done: list[tuple[str, dt.datetime, str]] = [
                (ReferralStep.REPORTED, t + dt.timedelta(minutes=8), ""),
                (ReferralStep.ISOLATED, t + dt.timedelta(minutes=25), ""),
                (ReferralStep.TRANSPORTED, t + dt.timedelta(minutes=70), ""),
                (ReferralStep.DIAGNOSED, diagnosed, DiagnosisOutcome.EXCLUDED),
            ]
            steps.append((len(alerts) - 1, done[:2] if pending else done))
    for case in cases:
        past = [s for s in by_case[case.pk] if s.deadline < as_of_end]
        for earlier, later in itertools.pairwise(past):
            if earlier.done_at is None and later.done_at is None:
                reached = next(
                    (s.done_at for s in past if s.deadline > later.deadline and s.done_at), None
                )
                alerts.append(
                    Alert(
                        case=case,
                        person_id=case.person_id,
                        jurisdiction_id=case.jurisdiction_id,
                        jpath=case.jpath,
                        trigger=Trigger.MISSED_SLOTS,
                        raised_at=later.deadline + dt.timedelta(minutes=1),
                        slot=later,
                        closed_at=reached,
                        outcome=AlertOutcome.RECHECK_NORMAL if reached else "",
                        close_note="已联系上，情况正常" if reached else "",
                    )
                )
    alerts = Alert.objects.bulk_create(alerts)
    ReferralEvent.objects.bulk_create(
        ReferralEvent(alert=alerts[i], step=step, at=at, diagnosis=diagnosis)
        for i, rows in steps
        for step, at, diagnosis in rows
    )
    return len(alerts)


def _care(ctx: ScenarioContext, cases, crews) -> None:
    CareNote.objects.bulk_create(
        CareNote(
            case=case,
            jpath=case.jpath,
            kind=CareKind.HEALTH_EDUCATION,
            text="讲解居家隔离要求、每日两次测温、出现发热咳嗽立即报告",
            given_at=case.opened_at + dt.timedelta(hours=1),
            staff_id=(crews.get(case.team_id or 0) or [None])[-1],
        )
        for case in cases
    )
    requests: list[AssistanceRequest] = []
    per_sub = len(REQUESTS)
    for i in range(0, len(cases), HOME_QUARANTINE):
        rng = _rng(ctx)
        for j, (kind, detail) in enumerate(REQUESTS):
            case = cases[i + 2 + j]
            open_ = j >= per_sub - OPEN_REQUESTS
            asked = (
                rules.local_midnight(AS_OF) + dt.timedelta(hours=9 + j)
                if open_
                else case.opened_at + dt.timedelta(hours=rng.randrange(20, 60))
            )
            staff = (crews.get(case.team_id or 0) or [None])[0]
            requests.append(
                AssistanceRequest(
                    case=case,
                    jpath=case.jpath,
                    kind=kind,
                    detail=detail,
                    requested_at=asked,
                    taken_by_id=None if open_ else staff,
                    taken_at=None if open_ else asked + dt.timedelta(minutes=30),
                    fulfilled_at=None if open_ else asked + dt.timedelta(hours=3),
                    result_note="" if open_ else "已送达",
                )
            )
    AssistanceRequest.objects.bulk_create(requests)
