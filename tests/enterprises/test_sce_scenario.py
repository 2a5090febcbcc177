"""The work-resumption part of the Encheng scenario: the seed's figures (about 1,000
enterprises, 678 applications, 585 approved, 15 task forces, 158 employees from source
areas) and the scenario's own, exactly, and K times them at --scale K; the first batch on
9 February, the green-channel approvals on 10 February; the demo accounts."""

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from epigrid.accounts.access import actor_for
from epigrid.accounts.models import User
from epigrid.accounts.roles import Capability
from epigrid.enterprises import access
from epigrid.enterprises.models import (
    Action,
    Application,
    ApplicationEvent,
    Batch,
    Consultation,
    Employee,
    EnterpriseMember,
    HealthReport,
    Material,
    Status,
)
from epigrid.policy.calendar import answer_due
from epigrid.quarantine.models import Alert
from epigrid.registry.models import Arrival

pytestmark = pytest.mark.django_db

FIGURES = {
    "enterprises": 996,
    "resumption_applications": 678,
    "resumption_approved": 585,
    "task_forces": 15,
    "enterprise_workers_from_risk_areas": 158,
    # The scenario's own: 200 first inspections and 18 re-inspections; 15 findings still
    # open; 14 needs open or being solved.
    "inspections_done": 218,
    "rectifications_open": 15,
    "enterprise_needs_open": 14,
}
ENCHENG = "440785.001"


def figures(*args: str) -> dict:
    out = io.StringIO()
    call_command("indicators", "--format", "json", *args, stdout=out)
    return {k: v for k, v in json.loads(out.getvalue())["indicators"].items() if k in FIGURES}


def local_day(t: dt.datetime) -> dt.date:
    return timezone.localtime(t).date()


def test_encheng_at_scale_one():
    call_command("scenario", "encheng", stdout=io.StringIO())
    assert figures("--as-of", "2020-02-16") == FIGURES
    assert figures("--as-of", "2020-01-01") == {k: 0 for k in FIGURES}
    # The day before the applications opened: the register only.
    assert figures("--as-of", "2020-02-07") == {k: 0 for k in FIGURES} | {"enterprises": 996}

    # Batches: the first published on 9 February, one a day to the 16th, each listing the
    # approvals decided before it went out; ten of the 16th's came after its batch.
    batches = list(Batch.objects.order_by("number"))
    assert [(b.number, b.published_on) for b in batches] == [
        (n, dt.date(2020, 2, 8 + n)) for n in range(1, 9)
    ]
    assert batches[0].applications.count() == 120
    approved = Application.objects.filter(status=Status.APPROVED)
    assert approved.count() == 585
    assert approved.filter(batch__isnull=True).count() == 10
    for b in batches:
        assert not b.applications.filter(decided_at__gte=b.published_at).exists()
        assert {local_day(a.decided_at) for a in b.applications.all()} == {b.published_on}
    assert min(local_day(a.decided_at) for a in approved) == dt.date(2020, 2, 9)

    # The green channel: returned on the 9th, completed on site and approved on the 10th.
    green = approved.filter(green_channel=True)
    assert green.count() == 40
    assert {local_day(a.decided_at) for a in green} == {dt.date(2020, 2, 10)}
    returns = ApplicationEvent.objects.filter(application__in=green, action=Action.RETURN)
    assert returns.count() == 40
    assert {local_day(e.at) for e in returns} == {dt.date(2020, 2, 9)}
    assert ApplicationEvent.objects.filter(action=Action.GREEN_CHANNEL).count() == 40
    assert Material.objects.filter(application__in=green, on_site=True).count() == 40

    # The 93 not approved, and the clock of those waiting for the desk.
    by_status = dict(
        Application.objects.exclude(status=Status.APPROVED)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    assert by_status == {"submitted": 30, "in_review": 30, "returned": 25, "rejected": 8}
    for a in Application.objects.filter(status__in=[Status.SUBMITTED, Status.IN_REVIEW]):
        assert a.due_at == answer_due(a.submitted_at, 2)
    assert Application.objects.filter(
        status__in=[Status.SUBMITTED, Status.IN_REVIEW], due_at__lt=timezone.make_aware(
            dt.datetime(2020, 2, 16, 12))
    ).exists()  # some overdue on the as-of day: they top the queue  # fmt: skip
    assert all(
        dt.date(2020, 2, 8) <= local_day(a.first_submitted_at) <= dt.date(2020, 2, 16)
        for a in Application.objects.all()
    )

    # The employees from source areas are flagged from their recorded arrivals.
    flagged = set(Employee.objects.filter(from_risk_area=True).values_list("person_id", flat=True))
    assert len(flagged) == 158
    touched = set(
        Arrival.objects.filter(person_id__in=flagged, touches_risk_area=True).values_list(
            "person_id", flat=True
        )
    )
    assert touched == flagged
    assert not Arrival.objects.filter(
        touches_risk_area=True,
        person_id__in=Employee.objects.filter(from_risk_area=False).values("person_id"),
    ).exists()
    assert sum(Application.objects.values_list("staff_from_risk_areas", flat=True)) == 158

    # Materials are real small PDF files under MEDIA_ROOT with their hashes.
    for m in Material.objects.order_by("pk")[:20]:
        data = (Path(settings.MEDIA_ROOT) / m.file.name).read_bytes()
        assert data.startswith(b"%PDF-")
        assert (len(data), hashlib.sha256(data).hexdigest()) == (m.size, m.sha256)
    # Health reports of the last three days with one fever, escalated and closed.
    assert HealthReport.objects.filter(fever=True).count() == 1
    assert set(HealthReport.objects.values_list("day", flat=True)) == {
        dt.date(2020, 2, 14), dt.date(2020, 2, 15), dt.date(2020, 2, 16)
    }  # fmt: skip
    alert = Alert.objects.get(trigger="enterprise_fever")
    assert alert.closed_at is not None
    # A published FAQ of ten, from the hotline, WeChat and QQ.
    assert Consultation.objects.filter(faq=True).count() == 10
    assert set(Consultation.objects.values_list("channel", flat=True)) == {
        "hotline",
        "wechat",
        "qq",
    }

    # Demo accounts: the enterprise user acts for an enterprise whose application was
    # returned; the desk over Encheng; a task-force member.
    enterprise_user = User.objects.get(username="enterprise")
    member = EnterpriseMember.objects.get(user=enterprise_user)
    assert member.enterprise.applications.get().status == Status.RETURNED
    me = actor_for(enterprise_user)
    assert access.own_enterprise_id(me) == member.enterprise_id
    assert access.reach(Application.objects.all(), me, None).count() == 1
    desk = actor_for(User.objects.get(username="desk"))
    assert desk.has(Capability.APPLICATIONS_REVIEW)
    assert (
        access.reach(Application.objects.all(), desk, Capability.APPLICATIONS_REVIEW).count() == 678
    )
    taskforce = User.objects.get(username="taskforce")
    assert actor_for(taskforce).has(Capability.INSPECTIONS_RECORD)
    assert taskforce.task_forces.count() == 1


def test_scale_two_is_twice_encheng_and_each_subdistrict_is_encheng(tmp_path):
    accounts = tmp_path / "accounts.json"
    call_command("scenario", "encheng", "--scale", "2", "--accounts-json", str(accounts),
                 stdout=io.StringIO())  # fmt: skip
    assert figures("--as-of", "2020-02-16") == {k: 2 * v for k, v in FIGURES.items()}
    assert figures("--as-of", "2020-02-16", "--jurisdiction", ENCHENG) == FIGURES
    assert figures("--as-of", "2020-02-16", "--jurisdiction", "440785.002") == FIGURES
    assert Batch.objects.filter(number=1, published_on=dt.date(2020, 2, 9)).count() == 2
    listed = {a["username"]: a for a in json.loads(accounts.read_text())}
    assert listed["enterprise"]["role"] == "enterprise"
    assert listed["desk"] == {
        "username": "desk",
        "role": "resumption_desk",
        "jurisdiction": ENCHENG,
    }
    assert listed["taskforce"]["role"] == "task_force"
