"""The working calendar: the two-working-day answer clock over weekends, national holidays,
make-up working days and local changes, with time frozen at the edges; the override
services and the headquarters page."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from epigrid.accounts.access import actor_for
from epigrid.audit.models import AuditEvent
from epigrid.policy import calendar as workcal
from epigrid.policy.models import WorkdayOverride
from epigrid.policy.services import workday_override_remove, workday_override_set

from ..access_runner import db_fingerprint

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def end_of(day: str) -> dt.datetime:
    """The due time for "by the end of `day`": the next local midnight."""
    return timezone.make_aware(
        dt.datetime.combine(dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time.min)
    )


@pytest.fixture
def frozen(monkeypatch):
    """Freezes django.utils.timezone.now (time_machine is not installed)."""

    def freeze(at: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: at)

    return freeze


def due_now(days: int = 2) -> dt.datetime:
    # As the application service does at submit time: answer_due(now, days).
    return workcal.answer_due(timezone.now(), days)


def test_friday_just_before_midnight_is_due_end_of_tuesday(frozen):
    frozen(local(2020, 3, 6, 23, 59, 59))  # a Friday
    assert due_now() == end_of("2020-03-10")


def test_saturday_is_due_end_of_tuesday(frozen):
    frozen(local(2020, 3, 7, 10, 0))
    assert due_now() == end_of("2020-03-10")
    frozen(local(2020, 3, 8, 23, 0))  # Sunday too
    assert due_now() == end_of("2020-03-10")


def test_local_midnight_is_the_new_day_and_a_second_before_is_the_old(frozen):
    frozen(local(2020, 3, 6, 0, 0, 0))  # Friday 00:00:00
    assert due_now() == end_of("2020-03-10")
    frozen(local(2020, 3, 5, 23, 59, 59))  # Thursday 23:59:59
    assert due_now() == end_of("2020-03-09")


def test_the_local_day_decides_not_the_utc_day(frozen):
    # 16:00 UTC on Thursday is 00:00 on Friday in Shanghai.
    frozen(dt.datetime(2020, 3, 5, 16, 0, tzinfo=UTC))
    assert due_now() == end_of("2020-03-10")
    frozen(dt.datetime(2020, 3, 5, 15, 59, 59, tzinfo=UTC))
    assert due_now() == end_of("2020-03-09")


def test_the_make_up_sunday_before_the_spring_festival_counts(frozen):
    assert workcal.is_workday(dt.date(2020, 1, 19))  # a Sunday, worked
    frozen(local(2020, 1, 17, 18, 0))  # Friday
    assert due_now() == end_of("2020-01-20")  # Sunday 19th, Monday 20th
    frozen(local(2020, 1, 18, 9, 0))  # the Saturday before it
    assert due_now() == end_of("2020-01-20")


def test_the_national_extension_of_the_spring_festival_does_not_count(frozen):
    for day in ("2020-01-31", "2020-02-01", "2020-02-02"):
        assert not workcal.is_workday(dt.date.fromisoformat(day))
    frozen(local(2020, 1, 23, 17, 0))  # the last working day before the festival
    assert due_now() == end_of("2020-02-04")
    frozen(local(2020, 1, 31, 10, 0))  # a Friday of the extension
    assert due_now() == end_of("2020-02-04")
    assert due_now(1) == end_of("2020-02-03")


def test_a_local_change_moves_the_due_day(world, frozen):
    hq = actor_for(world.users["hq"])
    # Guangdong: enterprises do not reopen before 10 February (a local decision).
    for d in range(3, 8):
        workday_override_set(
            actor=hq,
            day=dt.date(2020, 2, d),
            workday=False,
            note="粤府办明电〔2020〕2号：不早于2月9日24时复工",
        )
    frozen(local(2020, 1, 23, 17, 0))
    assert due_now() == end_of("2020-02-11")
    frozen(local(2020, 2, 5, 9, 0))  # submitted on a local holiday: counting starts after
    assert due_now() == end_of("2020-02-11")
    assert workcal.workdays_between(dt.date(2020, 1, 23), dt.date(2020, 2, 11)) == 2
    # And a Saturday made a working day locally counts.
    workday_override_set(actor=hq, day=dt.date(2020, 2, 8), workday=True, note="调休上班")
    assert due_now() == end_of("2020-02-10")


def test_after_the_last_year_the_library_knows_weekdays_count(frozen):
    first, last = workcal.library_years()
    assert first <= 2020 <= last
    new_year = dt.date(last + 1, 1, 1)
    assert workcal.is_workday(new_year) is (new_year.weekday() < 5)
    # Find a Friday in the unknown year: due the Tuesday after.
    friday = new_year + dt.timedelta(days=(4 - new_year.weekday()) % 7)
    frozen(timezone.make_aware(dt.datetime.combine(friday, dt.time(23, 59))))
    assert due_now() == end_of((friday + dt.timedelta(days=4)).isoformat())


def test_a_local_holiday_beyond_the_library_is_allowed_and_counts(world, frozen):
    _first, last = workcal.library_years()
    new_year = dt.date(last + 1, 1, 1)
    weekday = new_year + dt.timedelta(days=(-new_year.weekday()) % 7 + 1)  # a Tuesday
    workday_override_set(
        actor=actor_for(world.users["hq"]), day=weekday, workday=False, note="元旦调休"
    )
    assert not workcal.is_workday(weekday)
    monday = weekday - dt.timedelta(days=1)
    frozen(timezone.make_aware(dt.datetime.combine(monday, dt.time(9))))
    assert due_now() == end_of((weekday + dt.timedelta(days=2)).isoformat())  # Wed, Thu


def test_override_set_and_remove_are_audited(world):
    hq = actor_for(world.users["hq"])
    day = dt.date(2020, 2, 10)
    row = workday_override_set(actor=hq, day=day, workday=False, note=" 延迟  复工 ")
    assert (row.day, row.workday, row.note, row.created_by) == (
        day,
        False,
        "延迟 复工",
        world.users["hq"],
    )
    event = AuditEvent.objects.get(action="calendar.override_set")
    assert event.actor == world.users["hq"]
    assert event.after == {"day": "2020-02-10", "workday": False, "note": "延迟 复工"}
    # Set again: the same row changes, the audit says what it was.
    workday_override_set(actor=hq, day=day, workday=True, note="恢复上班")
    assert WorkdayOverride.objects.get().workday is True
    second = AuditEvent.objects.filter(action="calendar.override_set").order_by("at", "pk").last()
    assert second.before == {"workday": False, "note": "延迟 复工"}
    workday_override_remove(actor=hq, day=day)
    assert not WorkdayOverride.objects.exists()
    removed = AuditEvent.objects.get(action="calendar.override_remove")
    assert removed.before == {"day": "2020-02-10", "workday": True, "note": "恢复上班"}


@pytest.mark.parametrize(
    ("day", "workday", "note", "field", "message"),
    [
        (dt.date(2020, 2, 10), True, "x", "workday",
         "The national calendar already makes this day a working day."),
        (dt.date(2020, 1, 31), False, "x", "workday",
         "The national calendar already makes this day a holiday."),
        (dt.date(2020, 2, 10), False, "   ", "note", "This field is required."),
        (dt.date(2020, 2, 10), False, "x" * 201, "note", "At most 200 characters."),
        ("2020-02-10", False, "x", "day", "Enter a valid date."),
    ],
)  # fmt: skip
def test_override_refusals_change_nothing(world, day, workday, note, field, message):
    before = db_fingerprint()
    with pytest.raises(ValidationError) as refused:
        workday_override_set(
            actor=actor_for(world.users["hq"]), day=day, workday=workday, note=note
        )
    assert refused.value.message_dict == {field: [message]}
    assert db_fingerprint() == before


def test_removing_a_day_without_a_change_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        workday_override_remove(actor=actor_for(world.users["hq"]), day=dt.date(2020, 2, 10))
    assert refused.value.message_dict == {"day": ["There is no local change on this day."]}


@pytest.mark.parametrize("username", ["secretary", "worker_a", "analyst"])
def test_only_headquarters_over_the_whole_tree_edits_the_calendar(eworld, username):
    before = db_fingerprint()
    with pytest.raises((Http404, Exception)) as refused:
        workday_override_set(
            actor=actor_for(eworld.users[username]),
            day=dt.date(2020, 2, 10),
            workday=False,
            note="x",
        )
    assert refused.type.__name__ in {"Http404", "PermissionDenied"}
    assert db_fingerprint() == before


# --- the page ---------------------------------------------------------------------------------

URL = "/enterprises/calendar/"


def test_the_page_is_named_and_only_for_policy_managers(eworld, web):
    assert reverse("enterprises:calendar") == URL
    assert web(None).get(URL).status_code == 302
    for username in ("secretary", "worker_a", "analyst", "ent_a", "desk", "inspector"):
        assert web(username).get(URL).status_code == 403, username
    assert web("hq").get(URL).status_code == 200


def test_the_month_marks_holidays_make_up_days_and_local_changes(
    world, web, django_assert_num_queries
):
    hq = actor_for(world.users["hq"])
    workday_override_set(
        actor=hq, day=dt.date(2020, 2, 3), workday=False, note="<b>省里</b>延迟复工"
    )
    client = web("hq")
    client.get(URL)  # session and grants warm
    with django_assert_num_queries(QUERIES):
        january = client.get(URL, {"month": "2020-01"})
    html = january.content.decode()
    kinds = dict(re.findall(r'data-day="(2020-01-\d\d)" data-workday="\d" data-kind="(\w+)"', html))
    assert kinds["2020-01-19"] == "makeup"
    assert kinds["2020-01-18"] == "weekend"
    assert kinds["2020-01-24"] == kinds["2020-01-31"] == "holiday"
    assert kinds["2020-01-23"] == "weekday"
    assert len(kinds) == 31
    assert january.context["workdays"] == 17  # 2-3, 6-10, 13-17, the 19th, 20-23
    with django_assert_num_queries(QUERIES):
        february = client.get(URL, {"month": "2020-02"})
    html = february.content.decode()
    assert 'data-day="2020-02-03" data-workday="0" data-kind="local_holiday"' in html
    assert "&lt;b&gt;省里&lt;/b&gt;延迟复工" in html and "<b>省里" not in html
    assert 'data-testid="remove-2020-02-03"' in html


QUERIES = 5  # root node, session, user, grants, the month's local changes


def test_bad_month_falls_back_and_bad_due_time_says_so(world, web):
    client = web("hq")
    assert client.get(URL, {"month": "2020-13"}).status_code == 200
    assert client.get(URL, {"month": "<script>"}).status_code == 200
    page = client.get(URL, {"month": "2020-03", "submitted": "not-a-time"})
    assert page.status_code == 200
    assert (
        page.context["due"] == {"error": "Enter a valid date and time."}
        or page.context["due"]["error"]
    )
    page = client.get(URL, {"month": "2020-03", "submitted": "2020-03-06T23:59"})
    assert page.context["due"]["due"] == end_of("2020-03-10")
    assert 'data-testid="due-result"' in page.content.decode()


def test_the_form_adds_and_removes_a_local_change(world, web):
    client = web("hq")
    response = client.post(
        URL + "?month=2020-02",
        {"action": "set", "day": "2020-02-04", "workday": "0", "note": "延迟复工"},
    )
    assert response.status_code == 302
    assert response["Location"] == URL + "?month=2020-02"
    assert WorkdayOverride.objects.get().day == dt.date(2020, 2, 4)
    assert (
        AuditEvent.objects.filter(action="calendar.override_set", actor=world.users["hq"]).count()
        == 1
    )
    response = client.post(URL + "?month=2020-02", {"action": "remove", "day": "2020-02-04"})
    assert response.status_code == 302
    assert not WorkdayOverride.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "set", "day": "2020-02-10", "workday": "1", "note": "x"},  # no change
        {"action": "set", "day": "2020-02-30", "workday": "0", "note": "x"},  # no such day
        {"action": "set", "day": "2020-02-10", "workday": "maybe", "note": "x"},
        {"action": "set", "day": "2020-02-10", "workday": "0", "note": ""},
    ],
)
def test_the_form_refuses_bad_input_and_changes_nothing(world, web, data):
    before = db_fingerprint()
    response = web("hq").post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert db_fingerprint() == before


def test_removing_a_missing_change_or_a_bad_day_is_a_message_not_an_error(world, web):
    before = db_fingerprint()
    client = web("hq")
    for day in ("2020-02-10", "garbage"):
        response = client.post(URL, {"action": "remove", "day": day}, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert db_fingerprint() == before


def test_a_subdistrict_headquarters_cannot_edit_the_deployment_calendar(eworld, web):
    # Policy holds for the whole deployment: headquarters of one subdistrict is refused.
    from epigrid.accounts.access import SYSTEM
    from epigrid.accounts.roles import Role
    from epigrid.accounts.services import role_grant, user_create

    sub = eworld.nodes["sub"]
    user = user_create(
        actor=SYSTEM, username="hq_sub", password=None, jpath=sub.path, validate=False
    )
    role_grant(actor=SYSTEM, user=user, role=Role.HQ, jurisdiction=sub)
    before = db_fingerprint()
    client = web(None)
    client.force_login(user)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()
    assert 'data-testid="override-form"' not in page.content.decode()
    response = client.post(URL, {"action": "set", "day": "2020-02-04", "workday": "0", "note": "x"})
    assert response.status_code == 403
    assert db_fingerprint() == before
