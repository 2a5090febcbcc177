"""The field side of one subdistrict of the work-resumption scenario (enterprises.scenario):
task forces with their inspections and rectifications, liaisons, needs, consultations with
the published FAQ, and the employees' daily health reports with one fever escalated."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.quarantine.models import (
    Alert,
    AlertOutcome,
    DiagnosisOutcome,
    ReferralEvent,
    ReferralStep,
    Trigger,
)
from epigrid.quarantine.services.external import alert_raise
from epigrid.scenarios import encheng

from .models import (
    Channel,
    Consultation,
    Employee,
    Enterprise,
    HealthReport,
    Inspection,
    InspectionKind,
    Liaison,
    Need,
    NeedKind,
    NeedStatus,
    Rectification,
    Size,
    Status,
    TaskForce,
)
from .scenario_rows import AS_OF, FEB, INSPECTIONS_FROM, at, feb

INSPECTED = 200  # first inspections of approved enterprises in the task forces' areas
FAILED_EVERY = 7  # every 7th inspection (by day) finds something to put right
NEEDS = 40
NEEDS_RESOLVED, NEEDS_IN_PROGRESS = 26, 8  # the other 6 still open
CONSULTATIONS = [(Channel.HOTLINE, 50), (Channel.WECHAT, 45), (Channel.QQ, 25)]
UNANSWERED = 6  # the last questions of the as-of day
HEALTH_ENTERPRISES = 60  # reopened enterprises reporting their staff's temperatures
HEALTH_DAYS = 3  # the last days up to the as-of day
FEVER = ("37.9", 1)  # the one fever: its reading and days before the as-of day
FAQ = [
    (
        "申请复工需要提交哪些材料？",
        "内部防控责任机制、疫情防控应急预案、员工健康信息台账、防控宣传培训、清洁消毒方案五项材料，网上提交即可。",
    ),
    ("审核需要多长时间？", "材料齐全的，2个工作日内答复。"),
    ("材料不齐怎么办？", "可走绿色通道：次日到街道现场补齐材料，当场审核。"),
    ("复工企业名单在哪里公布？", "分批在街道公示栏和网上公布，可查询企业名称和批准日期。"),
    ("湖北返岗员工可以上班吗？", "需居家观察满14天且无异常，由村（居）出具证明后方可上岗。"),
    ("口罩不够怎么办？", "可向挂钩联系领导反映，街道协调调配。"),
    ("员工返岗交通怎么解决？", "可申请点对点包车接送，由专班协调。"),
    ("企业食堂可以开吗？", "可以，须错峰分餐、隔位就餐。"),
    ("发现员工发热怎么办？", "立即到临时隔离室隔离，报告村（居）和街道，转发热门诊。"),
    ("每天需要报送什么？", "员工体温及健康情况，异常情况立即报告。"),
]
FINDINGS = {
    "supplies": "口罩储备不足三天用量",
    "plans": "应急预案未明确隔离转运流程",
    "screening": "员工健康登记台账未及时更新",
    "door_checks": "门岗测温登记不完整",
    "staggered": "食堂未错峰分餐",
    "isolation_room": "临时隔离室未设置",
}
NEED_TEXTS = {
    NeedKind.SUPPLIES: "口罩、消毒液短缺，请求协调采购渠道",
    NeedKind.TRANSPORT: "外省员工返岗交通困难，请求包车",
    NeedKind.STAFF: "员工未能按时返岗，用工缺口约三成",
    NeedKind.OTHER: "原材料供应商未复工，影响生产",
}
QUESTIONS = [
    "复工申请表在哪里填？",
    "材料被退回了怎么补？",
    "外地员工返岗要隔离吗？",
    "需要准备多少口罩？",
    "审核进度怎么查？",
    "个体户需要申请吗？",
    "隔离室有什么要求？",
    "可以先复工后补材料吗？",
]


def field_work(rng, people, sub, units, applicants, apps, staff, inspection_list) -> dict:
    """Task forces and their inspections and rectifications, liaisons, needs and the
    consultations with the published FAQ."""
    r = rng.random
    forces = []
    for t in range(len(staff["leaders"])):
        force = TaskForce.objects.create(
            name=f"第{t + 1}专班（{units[t].name}）",
            jurisdiction=units[t],
            jpath=units[t].path,
            leader=staff["leaders"][t],
            active_from=dt.date(2020, FEB, 9),
        )
        force.members.set(staff["members"][t])
        forces.append(force)
    crew = {f.pk: staff["members"][t][0] for t, f in enumerate(forces)}
    force_of = {f.jpath: f for f in forces}
    # First inspections: approved by the 14th, in a task force's area, from the 10th.
    candidates = []
    for a in apps:
        if a.status != Status.APPROVED or a.decided_at >= feb(15, 0):
            continue
        covering = next((f for p, f in force_of.items() if a.jpath.startswith(p)), None)
        if covering is not None:
            candidates.append((a, covering))
    if len(candidates) < INSPECTED:
        raise RuntimeError("enterprise scenario: too few approved enterprises to inspect")
    planned = []
    for a, force in candidates[:INSPECTED]:
        earliest = max(INSPECTIONS_FROM, timezone.localtime(a.decided_at).date() + dt.timedelta(1))
        day = earliest + dt.timedelta(days=int(r() * ((AS_OF - earliest).days + 1)))
        planned.append((day, a, force))
    planned.sort(key=lambda x: (x[0], x[1].pk))
    codes = [c["code"] for c in inspection_list]
    inspections, findings = [], []
    for i, (day, a, force) in enumerate(planned):
        bad = [codes[i % len(codes)]] + ([codes[(i + 3) % len(codes)]] if i % 3 == 0 else [])
        failed = i % FAILED_EVERY == 3
        results = {
            c: {"ok": not (failed and c in bad), "note": FINDINGS[c] if failed and c in bad else ""}
            for c in codes
        }
        inspections.append(
            Inspection(
                enterprise_id=a.enterprise_id,
                jpath=a.jpath,
                task_force=force,
                kind=InspectionKind.FIRST,
                inspected_on=day,
                checklist=inspection_list,
                results=results,
                passed=not failed,
                inspector=crew[force.pk] if i % 2 else force.leader,
                note="" if not failed else "限期整改",
            )
        )
        if failed:
            findings.append((len(inspections) - 1, bad))
    inspections = Inspection.objects.bulk_create(inspections)
    rectifications, rechecks = [], []
    for index, bad in findings:
        first = inspections[index]
        closed = first.inspected_on + dt.timedelta(days=2) <= AS_OF
        recheck = None
        if closed:
            recheck = Inspection.objects.create(
                enterprise_id=first.enterprise_id,
                jpath=first.jpath,
                task_force=first.task_force,
                kind=InspectionKind.RECHECK,
                inspected_on=first.inspected_on + dt.timedelta(2),
                checklist=inspection_list,
                results={c: {"ok": True, "note": ""} for c in codes},
                passed=True,
                inspector=first.inspector,
                note="整改到位",
            )
            rechecks.append(recheck)
        for code in bad:
            rectifications.append(
                Rectification(
                    enterprise_id=first.enterprise_id,
                    jpath=first.jpath,
                    inspection=first,
                    item=code,
                    finding=FINDINGS[code],
                    deadline=first.inspected_on + dt.timedelta(3),
                    closed_by=recheck,
                    closed_at=at(recheck.inspected_on, 15 * 60) if recheck else None,
                    version=2 if recheck else 1,
                )
            )
    rectifications = Rectification.objects.bulk_create(rectifications)
    # Found when inspected (created_at is auto_now_add): the figure counts from then.
    found: dict[dt.date, list[int]] = {}
    for x in rectifications:
        found.setdefault(x.deadline - dt.timedelta(3), []).append(x.pk)
    for day, ids in found.items():
        Rectification.objects.filter(pk__in=ids).update(
            created_at=at(day, 16 * 60), updated_at=at(day, 16 * 60)
        )
    last: dict[int, dt.date] = {}
    for done in [*inspections, *rechecks]:
        last[done.enterprise_id] = max(
            last.get(done.enterprise_id, done.inspected_on), done.inspected_on
        )
    by_day: dict[dt.date, list[int]] = {}
    for enterprise_id, day in last.items():
        by_day.setdefault(day, []).append(enterprise_id)
    for day, ids in by_day.items():
        Enterprise.objects.filter(pk__in=ids).update(last_inspected_on=day)
    # Liaisons: a leader for each larger enterprise that applied.
    liaisons = [
        Liaison(
            enterprise_id=e.pk,
            jpath=e.jpath,
            leader=staff["leaders"][k % len(forces)],
            active_from=dt.date(2020, FEB, 9),
            note="挂钩联系",
        )
        for k, e in enumerate(x for x in applicants if x.size in (Size.MEDIUM, Size.LARGE))
    ]
    Liaison.objects.bulk_create(liaisons)
    needs = []
    kinds = list(NeedKind)
    for k, e in enumerate(rng.sample(applicants, NEEDS)):
        kind = kinds[k % len(kinds)]
        raised = feb(9, 9 * 60 + int(r() * 5 * 1440))
        status = (
            NeedStatus.RESOLVED
            if k < NEEDS_RESOLVED
            else NeedStatus.IN_PROGRESS
            if k < NEEDS_RESOLVED + NEEDS_IN_PROGRESS
            else NeedStatus.OPEN
        )
        resolved = (
            raised + dt.timedelta(hours=4 + r() * 40) if status == NeedStatus.RESOLVED else None
        )
        needs.append(
            Need(
                enterprise_id=e.pk,
                jpath=e.jpath,
                kind=kind,
                description=NEED_TEXTS[kind],
                status=status,
                owner=staff["leaders"][k % len(forces)] if status != NeedStatus.OPEN else None,
                resolution="已协调解决" if resolved else "",
                raised_at=raised,
                raised_by=staff["desk"][k % len(staff["desk"])],
                resolved_at=resolved,
                version=1 + (status != NeedStatus.OPEN) + (status == NeedStatus.RESOLVED),
            )
        )
    Need.objects.bulk_create(needs)
    consultations = []
    total = sum(n for _c, n in CONSULTATIONS)
    k = 0
    for channel, n in CONSULTATIONS:
        for _j in range(n):
            asked = feb(8, 8 * 60 + int(r() * 8 * 1440))
            answered = k < total - UNANSWERED
            faq = k < len(FAQ)
            question = FAQ[k][0] if faq else QUESTIONS[k % len(QUESTIONS)]
            consultations.append(
                Consultation(
                    channel=channel,
                    jpath=sub.path,
                    asker=encheng.person_name(people),
                    asker_phone=encheng.mobile(people),
                    question=question,
                    answer=(FAQ[k][1] if faq else "已电话答复") if answered else "",
                    asked_at=asked if answered else feb(16, 21 * 60 + k),
                    answered_at=asked + dt.timedelta(minutes=20) if answered else None,
                    answered_by=staff["desk"][k % len(staff["desk"])] if answered else None,
                    faq=faq,
                    faq_question=FAQ[k][0] if faq else "",
                    faq_answer=FAQ[k][1] if faq else "",
                    faq_order=k + 1 if faq else 0,
                )
            )
            k += 1
    Consultation.objects.bulk_create(consultations)
    open_rect = sum(1 for x in rectifications if x.closed_at is None)
    return {
        "task_forces": len(forces),
        "inspections": len(inspections) + len(rechecks),
        "rectifications": len(rectifications),
        "rectifications_open": open_rect,
        "liaisons": len(liaisons),
        "needs": len(needs),
        "needs_open": NEEDS - NEEDS_RESOLVED,
        "consultations": len(consultations),
    }


def health(rng, apps, employee_ids, employee_rows) -> dict:
    """Daily temperatures of the staff of the first reopened enterprises for the last days,
    with one fever that went through the quarantine escalation (alert raised, referred and
    excluded the next morning, so no alert stays open)."""
    r = rng.random
    reopened = [a.enterprise_id for a in apps if a.status == Status.APPROVED][:HEALTH_ENTERPRISES]
    wanted = set(reopened)
    staff = [
        (pk, row)
        for pk, row in zip(employee_ids, employee_rows, strict=True)
        if row[0] in wanted and not row[8]
    ]
    temps = [Decimal(t) / 10 for t in range(360, 372)]
    fever_day = AS_OF - dt.timedelta(days=FEVER[1])
    reports = []
    for back in range(HEALTH_DAYS - 1, -1, -1):
        day = AS_OF - dt.timedelta(days=back)
        for k, (pk, row) in enumerate(staff):
            fever = day == fever_day and k == 0
            reports.append(
                HealthReport(
                    employee_id=pk,
                    enterprise_id=row[0],
                    jpath=row[2],
                    day=day,
                    temperature=Decimal(FEVER[0]) if fever else temps[int(r() * len(temps))],
                    fever=fever,
                    symptoms="乏力" if fever else "",
                    reported_at=at(day, 8 * 60 + 30),
                )
            )
    HealthReport.objects.bulk_create(reports, batch_size=2000)
    first = reports[len(staff) * (HEALTH_DAYS - 1 - FEVER[1])]
    employee = Employee.objects.select_related("person", "enterprise__jurisdiction").get(
        pk=first.employee_id
    )
    alert = alert_raise(
        actor=SYSTEM,
        person=employee.person,
        jurisdiction=employee.enterprise.jurisdiction,
        trigger=Trigger.ENTERPRISE_FEVER,
        raised_at=first.reported_at,
        detail=f"{employee.enterprise.name}报告员工体温{FEVER[0]}℃",
        origin=f"health:{first.pk}",
    )
    t = alert.raised_at
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(alert=alert, step=ReferralStep.ISOLATED, at=t + dt.timedelta(minutes=10)),
            ReferralEvent(
                alert=alert, step=ReferralStep.TRANSPORTED, at=t + dt.timedelta(minutes=50)
            ),
            ReferralEvent(
                alert=alert,
                step=ReferralStep.DIAGNOSED,
                at=t + dt.timedelta(hours=20),
                diagnosis=DiagnosisOutcome.EXCLUDED,
            ),
        ]
    )
    Alert.objects.filter(pk=alert.pk).update(
        closed_at=t + dt.timedelta(hours=20, minutes=30),
        outcome=AlertOutcome.EXCLUDED,
        close_note="发热门诊排查，排除",
        version=alert.version + 1,
    )
    return {"health_reports": len(reports), "health_fevers": 1}
