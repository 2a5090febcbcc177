"""The rows of one subdistrict of the work-resumption scenario (enterprises.scenario): the
applications with their history, batches and materials, and the employees (the field side
is scenario_field.py). Counts and times come from the part's fixed generator `rng`; names, texts
and phone numbers from the scenario's seeded `people`."""

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from epigrid.core.bulk import insert_rows
from epigrid.policy.calendar import answer_due
from epigrid.registry.models import Arrival

from .models import (
    Action,
    Application,
    ApplicationEvent,
    Batch,
    Employee,
    Enterprise,
    Material,
    Status,
)

FEB = 2
ROSTER_FROM = dt.date(2020, 2, 8)  # the applications opened: rosters from then
INSPECTIONS_FROM = dt.date(2020, 2, 10)
AS_OF = dt.date(2020, 2, 16)
MINIMAL_PDF = (
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
    "4 0 obj<</Length {n}>>stream\n{text}\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def at(day: dt.date, minutes: int) -> dt.datetime:
    """Local time `minutes` after the midnight of `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min)) + dt.timedelta(
        minutes=minutes
    )


def feb(day: int, minutes: int) -> dt.datetime:
    return at(dt.date(2020, FEB, day), minutes)


def _pdf(title: str) -> bytes:
    text = f"BT /F1 12 Tf 72 770 Td ({title}) Tj ET"
    return MINIMAL_PDF.format(n=len(text), text=text).encode("ascii", "replace")


def build_subdistrict(
    *,
    rng,
    people,
    sub,
    units,
    enterprises,
    staff,
    checklist,
    inspection_list,
    pool,
    from_risk,
    plan,
) -> dict:
    applied, approved_by_day, green, unbatched, others = plan
    r = rng.random
    applicants = rng.sample(enterprises, applied)
    desk = staff["desk"]
    # --- the applications' end states and times ---------------------------------------------
    rows: list[dict[str, Any]] = []
    for day, n in approved_by_day:
        for k in range(n):
            decided: Any = feb(day, 8 * 60 + 30 + int(r() * 540))
            if day == approved_by_day[-1][0] and k >= n - unbatched:
                decided = feb(day, 19 * 60 + int(r() * 120))  # after the day's batch
            row: dict[str, Any] = {"status": Status.APPROVED, "decided": decided}
            if day == 10 and k < green:
                submitted = feb(8, 8 * 60 + int(r() * 1500))  # 8th or early 9th
                row.update(
                    green=True,
                    submitted=submitted,
                    decided=feb(10, 9 * 60 + int(r() * 180)),
                    returned=feb(9, 16 * 60 + int(r() * 240)),
                )
            else:
                span = (decided - feb(8, 8 * 60)).total_seconds() / 3600 - 2
                submitted = decided - dt.timedelta(hours=2 + r() * min(40, max(span, 0)))
                row.update(submitted=submitted)
            rows.append(row)
    for status, n in others:
        for _k in range(n):
            if status == Status.SUBMITTED:
                submitted = feb(13, int(r() * 3 * 1440 + 1200))  # 13th to 16th evening
            elif status == Status.IN_REVIEW:
                submitted = feb(12, 8 * 60 + int(r() * 4 * 1440 - 600))
            elif status == Status.RETURNED:
                submitted = feb(10, 8 * 60 + int(r() * 4 * 1440))
            else:
                submitted = feb(9, 8 * 60 + int(r() * 3 * 1440))
            rows.append({"status": status, "submitted": submitted})
    # --- employees: a few per applicant, and the 158 back from source areas -----------------
    rosters: dict[int, list] = {}
    p = 0
    for e in applicants:
        n = 2 + int(r() * 3)
        rosters[e.pk] = pool[p : p + n]
        p += n
    for person in from_risk:
        rosters[applicants[int(r() * len(applicants))].pk].append(person)
    persons = [x for roster in rosters.values() for x in roster]
    arrivals = {
        a.person_id: a
        for a in Arrival.objects.filter(
            person_id__in=[x.pk for x in persons],
            touches_risk_area=True,
            arrived_on__gte=AS_OF - dt.timedelta(days=14),
        ).order_by("arrived_on")
    }
    if len(arrivals) != len(from_risk):
        raise RuntimeError("enterprise scenario: the source-area arrivals are not as expected")
    employee_rows = []
    for e in applicants:
        for x in rosters[e.pk]:
            arrival = arrivals.get(x.pk)
            employee_rows.append(
                (
                    e.pk,
                    x.pk,
                    e.jpath,
                    "员工",
                    arrival.from_place if arrival else x.hukou_place,
                    arrival.from_code if arrival else x.doc_number[:6],
                    arrival.arrived_on if arrival else None,
                    "居家观察" if arrival else "在本地",
                    arrival is not None,
                    ROSTER_FROM,
                )
            )
    employee_ids = insert_rows(
        Employee,
        [
            "enterprise",
            "person",
            "jpath",
            "job",
            "origin",
            "origin_code",
            "returned_on",
            "whereabouts",
            "from_risk_area",
            "active_from",
        ],
        employee_rows,
    )
    risky_staff = {e: 0 for e in rosters}
    for staffed in employee_rows:
        risky_staff[staffed[0]] += staffed[8]
    # --- applications, batches, events, materials ------------------------------------------
    batches = {}
    for number, (day, _n) in enumerate(approved_by_day, start=1):
        batches[day] = Batch.objects.create(
            number=number,
            jurisdiction=sub,
            jpath=sub.path,
            title=f"{sub.name}第{number}批复工复产企业名单",
            published_on=dt.date(2020, FEB, day),
            published_at=feb(day, 18 * 60),
            public_code=uuid.UUID(int=people.getrandbits(128), version=4),
            published_by=desk[0],
        )
    due_cache: dict[dt.date, dt.datetime] = {}

    def due(submitted: dt.datetime) -> dt.datetime:
        day = timezone.localtime(submitted).date()
        if day not in due_cache:
            due_cache[day] = answer_due(submitted, 2)
        return due_cache[day]

    codes = [c["code"] for c in checklist]
    apps: list[Application] = []
    for i, (e, row) in enumerate(zip(applicants, rows, strict=True)):
        status, submitted = row["status"], row["submitted"]
        reviewer = desk[i % len(desk)]
        decided = row.get("decided")
        missing: list[str] = []
        if status == Status.RETURNED:
            missing = [codes[i % len(codes)]] + ([codes[(i + 2) % len(codes)]] if i % 3 else [])
        elif row.get("green"):
            missing = [codes[i % len(codes)]]
        batch = None
        if status == Status.APPROVED:
            day = timezone.localtime(decided).day
            batch = batches[day] if decided < batches[day].published_at else None
        if status == Status.REJECTED:
            decided = submitted + dt.timedelta(hours=20 + r() * 8)
        returned = row.get("returned") or (
            submitted + dt.timedelta(hours=18 + r() * 6) if status == Status.RETURNED else None
        )
        apps.append(
            Application(
                enterprise_id=e.pk,
                jpath=e.jpath,
                status=status,
                planned_on=dt.date(2020, FEB, 10) + dt.timedelta(days=i % 5),
                masks=50 + int(r() * 950),
                thermometers=1 + int(r() * 5),
                disinfectant_litres=5 + int(r() * 45),
                sanitizer_bottles=5 + int(r() * 30),
                isolation_room=True,
                isolation_note="厂区东侧独立房间",
                checklist=checklist,
                staff_count=len(rosters[e.pk]),
                staff_from_risk_areas=risky_staff[e.pk],
                submitted_at=submitted,
                first_submitted_at=submitted,
                due_at=due(submitted) if status in (Status.SUBMITTED, Status.IN_REVIEW) else None,
                missing_items=missing if status == Status.RETURNED else [],
                supplement_by=(timezone.localtime(returned).date() + dt.timedelta(days=1))
                if status == Status.RETURNED
                else None,
                decided_at=decided,
                decided_by=reviewer if decided else None,
                decision_note="不属于当前允许复工的行业范围" if status == Status.REJECTED else "",
                green_channel=bool(row.get("green")),
                reviewer=reviewer if status != Status.SUBMITTED else None,
                batch=batch,
                version=1 + (status != Status.SUBMITTED) + bool(returned),
            )
        )
        row["returned"], row["missing"], row["reviewer"] = returned, missing, reviewer
    apps = Application.objects.bulk_create(apps, batch_size=1000)
    events: list[ApplicationEvent] = []
    materials: list[tuple] = []
    media = Path(settings.MEDIA_ROOT) / "materials" / "2020" / "02"
    media.mkdir(parents=True, exist_ok=True)
    for app, row in zip(apps, rows, strict=True):
        who, submitted = row["reviewer"], row["submitted"]

        def event(action, frm, to, when, actor=None, note="", items=None, app=app):
            events.append(
                ApplicationEvent(
                    application=app,
                    action=action,
                    from_status=frm,
                    to_status=to,
                    at=when,
                    actor=actor,
                    note=note,
                    items=items or [],
                )
            )

        event(Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, submitted)
        if app.status != Status.SUBMITTED and not row["returned"]:
            event(
                Action.START_REVIEW,
                Status.SUBMITTED,
                Status.IN_REVIEW,
                submitted + dt.timedelta(minutes=30),
                who,
            )
        if row["returned"]:
            event(
                Action.RETURN,
                Status.SUBMITTED,
                Status.RETURNED,
                row["returned"],
                who,
                "请补充材料",
                row["missing"],
            )
        if app.green_channel:
            event(
                Action.GREEN_CHANNEL,
                Status.RETURNED,
                Status.APPROVED,
                app.decided_at,
                who,
                "现场补齐材料，当场审核通过",
            )
        elif app.status == Status.APPROVED:
            event(Action.APPROVE, Status.IN_REVIEW, Status.APPROVED, app.decided_at, who)
        elif app.status == Status.REJECTED:
            event(
                Action.REJECT,
                Status.IN_REVIEW,
                Status.REJECTED,
                app.decided_at,
                who,
                app.decision_note,
            )
        for item in checklist:
            if not item.get("file"):
                continue
            on_site = app.green_channel and item["code"] in row["missing"]
            if app.status == Status.RETURNED and item["code"] in row["missing"]:
                continue
            data = _pdf(f"{app.enterprise_id}-{item['code']}")
            name = f"{uuid.UUID(int=people.getrandbits(128), version=4).hex}.pdf"
            (media / name).write_bytes(data)
            materials.append(
                (
                    app.pk,
                    app.jpath,
                    item["code"],
                    f"materials/2020/02/{name}",
                    f"{item['zh']}.pdf",
                    "application/pdf",
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                    app.decided_at if on_site else submitted,
                    who.pk if on_site else None,
                    on_site,
                )
            )
    ApplicationEvent.objects.bulk_create(events, batch_size=2000)
    insert_rows(
        Material,
        [
            "application",
            "jpath",
            "item",
            "file",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "uploaded_by",
            "on_site",
        ],
        materials,
    )
    approved = [a for a in apps if a.status == Status.APPROVED]
    by_day: dict[dt.date, list[int]] = {}
    for a in approved:
        by_day.setdefault(timezone.localtime(a.decided_at).date(), []).append(a.enterprise_id)
    for day, ids in by_day.items():
        Enterprise.objects.filter(pk__in=ids).update(approved_on=day)
    demo = next(e for e, a in zip(applicants, apps, strict=True) if a.status == Status.RETURNED)
    from .scenario_field import field_work, health

    counts = field_work(rng, people, sub, units, applicants, apps, staff, inspection_list)
    counts.update(health(rng, apps, employee_ids, employee_rows))
    counts.update(
        enterprises=len(enterprises),
        applications=len(apps),
        approved=len(approved),
        employees=len(employee_rows),
        employees_from_risk_areas=len(arrivals),
        batches=len(batches),
        events=len(events),
        materials=len(materials),
        demo_enterprise=demo,
    )
    return counts
