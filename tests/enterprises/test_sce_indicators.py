"""The work-resumption figures: as-of-day semantics (what was true at the end of the day,
local time), grouped by path, one query each."""

import datetime as dt

import pytest
from django.utils import timezone

from epigrid.enterprises.models import (
    Application,
    Employee,
    Inspection,
    InspectionKind,
    Need,
    NeedKind,
    NeedStatus,
    Rectification,
    Status,
    TaskForce,
)
from epigrid.indicators.catalogue import get
from epigrid.registry.models import Person

pytestmark = pytest.mark.django_db
KEYS = [
    "enterprises", "resumption_applications", "resumption_approved", "task_forces",
    "enterprise_workers_from_risk_areas", "inspections_done", "rectifications_open",
    "enterprise_needs_open",
]  # fmt: skip
D = dt.date(2020, 2, 10)


def at(day: dt.date, h: int, m: int = 0, s: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(h, m, s)))


def totals(path: str, as_of: dt.date) -> dict[str, int]:
    return {k: sum(n for _p, n in get(k).counter(path, as_of)) for k in KEYS}


@pytest.fixture
def rows(eworld):
    a, b = eworld.enterprises["a"], eworld.enterprises["b"]
    from epigrid.enterprises.models import Enterprise

    Enterprise.objects.update(created_at=at(D, 9))
    app = Application.objects.create(
        enterprise=a, jpath=a.jpath, planned_on=D, status=Status.APPROVED,
        submitted_at=at(D, 23, 59, 59), first_submitted_at=at(D, 23, 59, 59),
        decided_at=at(D + dt.timedelta(1), 0, 0, 0),
    )  # fmt: skip
    Application.objects.create(
        enterprise=b, jpath=b.jpath, planned_on=D, status=Status.SUBMITTED,
        submitted_at=at(D, 10), first_submitted_at=at(D, 10), due_at=at(D, 23),
    )  # fmt: skip
    node = eworld.nodes["village_a"]
    force = TaskForce.objects.create(
        name="第1专班", jurisdiction=node, jpath=node.path, leader=eworld.users["inspector"],
        active_from=D, active_until=D + dt.timedelta(2),
    )  # fmt: skip
    person = Person.objects.create(
        name="张三", name_norm="张三", jurisdiction=a.jurisdiction, jpath=a.jpath, registered_on=D
    )
    Employee.objects.create(
        enterprise=a, person=person, jpath=a.jpath, from_risk_area=True, active_from=D
    )
    first = Inspection.objects.create(
        enterprise=a, jpath=a.jpath, task_force=force, kind=InspectionKind.FIRST,
        inspected_on=D, passed=False,
    )  # fmt: skip
    recheck = Inspection.objects.create(
        enterprise=a, jpath=a.jpath, task_force=force, kind=InspectionKind.RECHECK,
        inspected_on=D + dt.timedelta(1), passed=True,
    )  # fmt: skip
    rect = Rectification.objects.create(
        enterprise=a, jpath=a.jpath, inspection=first, item="supplies", finding="口罩不足",
        deadline=D + dt.timedelta(3), closed_by=recheck, closed_at=at(D + dt.timedelta(1), 15),
    )  # fmt: skip
    Rectification.objects.filter(pk=rect.pk).update(created_at=at(D, 16))
    Need.objects.create(
        enterprise=b, jpath=b.jpath, kind=NeedKind.STAFF, description="缺工",
        status=NeedStatus.RESOLVED, raised_at=at(D, 9), resolved_at=at(D + dt.timedelta(1), 9),
    )  # fmt: skip
    return eworld, app


def test_figures_on_the_day_and_after(rows, django_assert_num_queries):
    world, _app = rows
    city = world.nodes["city"].path
    with django_assert_num_queries(len(KEYS)):  # one grouped query per figure
        on_d = totals(city, D)
    assert on_d == {
        "enterprises": 3,
        "resumption_applications": 2,  # 23:59:59 on the day counts
        "resumption_approved": 0,  # decided at 00:00:00 the next day: not yet
        "task_forces": 1,
        "enterprise_workers_from_risk_areas": 1,
        "inspections_done": 1,
        "rectifications_open": 1,
        "enterprise_needs_open": 1,
    }
    after = totals(city, D + dt.timedelta(1))
    assert after == on_d | {"resumption_approved": 1, "inspections_done": 2,
                            "rectifications_open": 0, "enterprise_needs_open": 0}  # fmt: skip
    # The task force ended on the 12th; the day before anything existed, nothing.
    assert totals(city, D + dt.timedelta(2))["task_forces"] == 0
    assert totals(city, D - dt.timedelta(1)) == {k: 0 for k in KEYS}


def test_figures_are_grouped_by_path(rows):
    world, _app = rows
    by_path = dict(get("enterprises").counter(world.nodes["city"].path, D))
    grid_a = world.enterprises["a"].jpath
    assert by_path[grid_a] == 1
    assert sum(by_path.values()) == 3
    # Within village A only its enterprises count.
    village = world.nodes["village_a"].path
    assert totals(village, D)["resumption_applications"] == 1
    assert totals(world.enterprises["b"].jpath, D)["enterprise_needs_open"] == 1
