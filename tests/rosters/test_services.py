"""Writes of rosters: every rule refuses with a clear message and changes nothing; every
write is audited; version checks catch lost updates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.rosters import selectors, services
from epigrid.rosters.models import HandoverNote, Post, Shift, ShiftMember
from epigrid.workforce.services import staff_deactivate
from tests.access_runner import db_fingerprint

from .world import MONDAY, at


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}


def refused(call, *, field: str | None = None, contains: str = "", error=ValidationError):
    """Runs a write that must be refused, and proves nothing changed."""
    before = db_fingerprint()
    with pytest.raises(error) as info:
        call()
    assert db_fingerprint() == before, "a refused write changed something"
    if field is not None:
        found = messages(info.value)
        assert field in found, found
        assert contains in " ".join(found[field]), found
    return info.value


# --- posts --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_create_reads_hours_and_is_audited(world):
    secretary = world.actor("secretary")
    post = services.post_create(
        actor=secretary,
        jurisdiction=world.nodes["grid_a"],
        name="  锦岗村  卡口  ",
        kind="checkpoint",
        covers_from="7:00",
        covers_until="22:00",
        note="<b>夜间</b>",
    )
    assert (post.name, post.covers_from, post.covers_until) == ("锦岗村 卡口", 420, 1320)
    assert (post.jpath, post.active_from) == (world.nodes["grid_a"].path, timezone.localdate())
    assert not post.overnight and not post.round_the_clock
    event = AuditEvent.objects.get(action="duty_post.create")
    assert event.actor_username == "secretary" and event.entity_id == str(post.pk)
    # 00:00 as an end is midnight; the same time twice is round the clock.
    night = services.post_create(
        actor=secretary,
        jurisdiction=world.nodes["grid_a"],
        name="夜班",
        covers_from="22:00",
        covers_until="00:00",
    )
    assert (night.covers_from, night.covers_until, night.overnight) == (1320, 1440, False)
    same = services.post_create(
        actor=secretary,
        jurisdiction=world.nodes["grid_a"],
        name="全天",
        covers_from="08:00",
        covers_until="08:00",
    )
    assert same.round_the_clock


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "contains"),
    [
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 101}, "name", "At most 100"),
        ({"kind": "tower"}, "kind", "allowed values"),
        ({"covers_from": "25:00"}, "covers_from", "HH:MM"),
        ({"covers_from": "24:00"}, "covers_from", "00:00"),
        ({"covers_until": "8 点"}, "covers_until", "HH:MM"),
        ({"covers_until": "24:30"}, "covers_until", "HH:MM"),
        ({"covers_from": "08:60"}, "covers_from", "HH:MM"),
    ],
)
def test_post_create_refusals(world, changes, field, contains):
    data = {"name": "值守台", "kind": "monitoring_desk", **changes}
    refused(
        lambda: services.post_create(
            actor=world.actor("hq"), jurisdiction=world.nodes["village_a"], **data
        ),
        field=field,
        contains=contains,
    )


@pytest.mark.django_db
def test_post_writes_need_the_manage_capability_in_the_area(world, rosters):
    refused(
        lambda: services.post_create(
            actor=world.actor("worker_a"), jurisdiction=world.nodes["grid_a"], name="x"
        ),
        error=PermissionDenied,
    )
    refused(
        lambda: services.post_create(
            actor=world.actor("secretary"), jurisdiction=world.nodes["village_b"], name="x"
        ),
        error=Http404,
    )
    refused(
        lambda: services.post_update(
            actor=world.actor("analyst"), post=rosters["desk_a"], version=1, name="改"
        ),
        error=PermissionDenied,
    )


@pytest.mark.django_db
def test_post_update_checks_the_version(world, rosters):
    hq = world.actor("hq")
    post = rosters["desk_a"]
    services.post_update(actor=hq, post=post, version=1, covers_from="06:00")
    assert (post.version, post.covers_from, post.covers_until) == (2, 360, 1440)
    stale = Post.objects.get(pk=post.pk)
    stale.version = 1
    error = refused(
        lambda: services.post_update(actor=hq, post=stale, version=1, name="被覆盖"),
        error=ConcurrentEditError,
    )
    assert "Someone else changed this record" in str(error)
    assert Post.objects.get(pk=post.pk).name == "锦岗村24小时监测值守台"
    assert AuditEvent.objects.filter(action="duty_post.update").count() == 1


@pytest.mark.django_db
def test_post_close_cancels_later_shifts_and_refuses_new_ones(world, rosters):
    hq = world.actor("hq")
    post = rosters["desk_a"]
    later = services.shift_create(
        actor=hq,
        post=post,
        starts_at=at(12, 8),
        ends_at=at(12, 16),
        members=[world.staff["grid_a.police"]],
    )
    services.post_close(actor=hq, post=post, version=post.version, on=dt.date(2020, 2, 11))
    post.refresh_from_db()
    assert post.active_until == dt.date(2020, 2, 12)
    later.refresh_from_db()
    assert later.is_cancelled and later.version == 2
    assert not Shift.objects.get(pk=rosters["shift_a1"].pk).is_cancelled
    event = AuditEvent.objects.get(action="duty_post.close")
    assert event.after["shifts_cancelled"] == 1
    refused(
        lambda: services.shift_create(actor=hq, post=post, starts_at=at(11, 20), ends_at=at(12, 4)),
        field="ends_at",
        contains="closed after 2020-02-11",
    )
    refused(
        lambda: services.post_close(actor=hq, post=post, version=post.version),
        field="on",
        contains="already closed",
    )


# --- shifts -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field", "contains"),
    [
        ((11, 16), (11, 8), "ends_at", "end after it starts"),
        ((11, 8), (11, 8), "ends_at", "end after it starts"),
        ((11, 8), (12, 8, 1), "ends_at", "at most 24 hours"),
        ((1, 0), (1, 8), None, None),  # the post's first day is fine
        ((0, 0), (0, 8), "starts_at", "not held before 2020-02-01"),
    ],
)
def test_shift_times(world, rosters, start, end, field, contains):
    def when(spec):
        day, hour, *minute = spec
        return at(dt.date(2020, 2, 1) + dt.timedelta(days=day - 1), hour, *minute)

    call = lambda: services.shift_create(  # noqa: E731
        actor=world.actor("secretary"),
        post=rosters["desk_a"],
        starts_at=when(start),
        ends_at=when(end),
    )
    if field is None:
        assert call().pk
    else:
        refused(call, field=field, contains=contains)


@pytest.mark.django_db
def test_a_24_hour_shift_and_naive_times_on_the_local_clock(world, rosters):
    shift = services.shift_create(
        actor=world.actor("secretary"),
        post=rosters["desk_a"],
        starts_at=dt.datetime(2020, 2, 12, 8),  # naive: Asia/Shanghai
        ends_at=dt.datetime(2020, 2, 13, 8),
        members=[world.staff["grid_a.police"]],
    )
    assert shift.starts_at == at(12, 8)
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=24)
    event = AuditEvent.objects.get(action="duty_shift.create", entity_id=str(shift.pk))
    assert event.after["members"] == [world.staff["grid_a.police"].pk]


@pytest.mark.django_db
def test_overlapping_shift_is_refused_naming_the_other_shift(world, rosters):
    secretary = world.actor("secretary")
    cadre = world.staff["grid_a.cadre"]  # on desk A 08:00–16:00 on Monday
    other = rosters["shift_a1"]
    error = refused(
        lambda: services.shift_create(
            actor=secretary,
            post=rosters["desk_a"],
            starts_at=at(MONDAY, 15),
            ends_at=at(MONDAY, 23),
            members=[world.staff["grid_a.police"], cadre],
        ),
        field="members",
    )
    (message,) = messages(error)["members"]
    assert message == (
        f"grid_a-cadre is already on duty at 锦岗村24小时监测值守台 from 02-10 08:00 to "
        f"02-10 16:00 (shift {other.pk})."
    )
    # Back to back is fine.
    services.shift_create(
        actor=secretary,
        post=rosters["desk_a"],
        starts_at=at(MONDAY, 16),
        ends_at=at(MONDAY, 20),
        members=[cadre],
    )
    # Adding to an existing overlapping shift is refused the same way.
    refused(
        lambda: services.shift_member_add(actor=secretary, shift=rosters["shift_a2"], staff=cadre),
        field="staff",
        contains="already on duty",
    )


@pytest.mark.django_db
def test_overlap_names_a_hidden_post_only_vaguely(world, rosters):
    """The subdistrict's leader of big grid A also stands at grid B's post: the secretary of
    village A is told of a clash, not where."""
    hq = world.actor("hq")
    leader = world.staff["big_a.leader"]
    post_sub = services.post_create(
        actor=hq, jurisdiction=world.nodes["sub"], name="街道指挥部值班", active_from=MONDAY
    )
    services.shift_create(
        actor=hq, post=post_sub, starts_at=at(MONDAY, 20), ends_at=at(11, 2), members=[leader]
    )
    error = refused(
        lambda: services.shift_member_add(
            actor=world.actor("secretary"), shift=rosters["shift_a2"], staff=leader
        ),
        field="staff",
    )
    text = messages(error)["staff"][0]
    assert "a post outside your area" in text and "街道指挥部" not in text


@pytest.mark.django_db
def test_a_cancelled_shift_binds_nobody(world, rosters):
    secretary = world.actor("secretary")
    shift = rosters["shift_a1"]
    services.shift_cancel(actor=secretary, shift=shift, version=1, reason="改派")
    assert shift.is_cancelled and shift.cancel_reason == "改派"
    services.shift_create(
        actor=secretary,
        post=rosters["desk_a"],
        starts_at=at(MONDAY, 8),
        ends_at=at(MONDAY, 16),
        members=[world.staff["grid_a.cadre"]],
    )
    refused(
        lambda: services.shift_cancel(actor=secretary, shift=shift, version=shift.version),
        field="shift",
        contains="cancelled",
    )
    refused(
        lambda: services.shift_member_add(
            actor=secretary, shift=shift, staff=world.staff["grid_a.police"]
        ),
        field="shift",
    )


@pytest.mark.django_db
def test_who_may_be_on_a_shift(world, rosters):
    """Grid workers of the post's area, inside it or above it; never of a sibling area; never
    someone off duty; never twice."""
    secretary, hq = world.actor("secretary"), world.actor("hq")
    shift = rosters["shift_a2"]  # desk of village A
    services.shift_member_add(actor=secretary, shift=shift, staff=world.staff["big_a.leader"])
    refused(
        lambda: services.shift_member_add(actor=hq, shift=shift, staff=world.staff["grid_b.cadre"]),
        field="staff",
        contains="does not work in this post's area",
    )
    refused(
        lambda: services.shift_member_add(
            actor=secretary, shift=shift, staff=world.staff["grid_a.family_doctor"]
        ),
        field="staff",
        contains="already on this shift",
    )
    # Above the post: a village cadre at grid B's checkpoint post would be a sibling;
    # the big grid B's leader is above grid B and may stand there.
    services.shift_member_add(actor=hq, shift=rosters["shift_b"], staff=world.staff["big_b.leader"])
    gone = world.staff["grid_a.police"]
    staff_deactivate(actor=SYSTEM, member=gone, version=gone.version, on=dt.date(2020, 2, 5))
    gone.refresh_from_db()
    refused(
        lambda: services.shift_member_add(actor=secretary, shift=shift, staff=gone),
        field="staff",
        contains="off duty",
    )
    refused(
        lambda: services.shift_create(
            actor=secretary,
            post=rosters["desk_a"],
            starts_at=at(12, 8),
            ends_at=at(12, 16),
            members=[world.staff["grid_a2.police"], world.staff["grid_a2.police"]],
        ),
        field="members",
        contains="listed twice",
    )


@pytest.mark.django_db
def test_member_remove(world, rosters):
    secretary = world.actor("secretary")
    shift = rosters["shift_a1"]
    services.shift_member_remove(actor=secretary, shift=shift, staff=world.staff["grid_a2.cadre"])
    assert list(ShiftMember.objects.filter(shift=shift).values_list("staff", flat=True)) == [
        world.staff["grid_a.cadre"].pk
    ]
    refused(
        lambda: services.shift_member_remove(
            actor=secretary, shift=shift, staff=world.staff["grid_a2.cadre"]
        ),
        field="staff",
        contains="not on this shift",
    )
    event = AuditEvent.objects.get(action="duty_shift.member_remove")
    assert event.before["staff"] == world.staff["grid_a2.cadre"].pk


@pytest.mark.django_db
def test_shift_update_checks_version_and_keeps_people_free(world, rosters):
    secretary = world.actor("secretary")
    shift = rosters["shift_a2"]  # 16–24, the family doctor
    services.shift_create(
        actor=secretary,
        post=rosters["desk_a"],
        starts_at=at(11, 0),
        ends_at=at(11, 8),
        members=[world.staff["grid_a.family_doctor"]],
    )
    refused(
        lambda: services.shift_update(actor=secretary, shift=shift, version=1, ends_at=at(11, 2)),
        field="starts_at",
        contains="already on duty",
    )
    services.shift_update(actor=secretary, shift=shift, version=1, starts_at=at(MONDAY, 17))
    assert (shift.version, shift.starts_at) == (2, at(MONDAY, 17))
    stale = Shift.objects.get(pk=shift.pk)
    refused(
        lambda: services.shift_update(actor=secretary, shift=stale, version=1, note="旧"),
        error=ConcurrentEditError,
    )
    refused(
        lambda: services.shift_cancel(actor=secretary, shift=stale, version=1),
        error=ConcurrentEditError,
    )
    event = AuditEvent.objects.get(action="duty_shift.update")
    assert event.before["starts_at"] != event.after["starts_at"]


@pytest.mark.django_db
def test_shift_writes_outside_the_area(world, rosters):
    refused(
        lambda: services.shift_cancel(
            actor=world.actor("secretary"), shift=rosters["shift_b"], version=1
        ),
        error=Http404,
    )
    refused(
        lambda: services.shift_cancel(
            actor=world.actor("worker_b"), shift=rosters["shift_b"], version=1
        ),
        error=PermissionDenied,
    )


# --- hand-over notes ----------------------------------------------------------------------


@pytest.mark.django_db
def test_who_may_hand_over(world, rosters):
    shift = rosters["shift_a1"]  # worker_a's grid cadre is on it
    note = services.handover_add(
        actor=world.actor("secretary"), shift=shift, text="  第一行  \r\n\r\n\r\n\r\n 第二行 "
    )
    assert note.text == "第一行\n\n第二行"
    assert (note.written_by_name, note.written_by_staff) == ("secretary", None)
    assert rosters["note_a1"].written_by_staff == world.staff["grid_a.cadre"]
    # An analyst sees the shift but is neither on it nor a manager; worker B cannot see it;
    # worker A is not on the evening shift, which is at the village's desk: hidden.
    refused(
        lambda: services.handover_add(actor=world.actor("analyst"), shift=shift, text="x"),
        error=PermissionDenied,
    )
    refused(
        lambda: services.handover_add(actor=world.actor("worker_b"), shift=shift, text="x"),
        error=Http404,
    )
    refused(
        lambda: services.handover_add(
            actor=world.actor("worker_a"), shift=rosters["shift_a2"], text="x"
        ),
        error=Http404,
    )
    refused(
        lambda: services.handover_add(actor=world.actor("worker_a"), shift=shift, text=" \n "),
        field="text",
        contains="required",
    )
    refused(
        lambda: services.handover_add(
            actor=world.actor("worker_a"), shift=shift, text="长" * (services.NOTE_MAX + 1)
        ),
        field="text",
        contains="At most",
    )
    assert AuditEvent.objects.filter(action="handover.add").count() == 2


@pytest.mark.django_db
def test_no_note_before_the_shift_begins_nor_on_a_cancelled_one(world, rosters):
    hq = world.actor("hq")
    start = timezone.now() + dt.timedelta(hours=2)
    future = services.shift_create(
        actor=hq,
        post=rosters["desk_a"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
        members=[world.staff["grid_a.cadre"]],
    )
    refused(
        lambda: services.handover_add(actor=world.actor("worker_a"), shift=future, text="x"),
        field="text",
        contains="not begun",
    )
    services.shift_cancel(actor=hq, shift=future, version=1)
    refused(
        lambda: services.handover_add(actor=hq, shift=future, text="x"),
        field="shift",
        contains="cancelled",
    )


@pytest.mark.django_db
def test_the_next_shift_finds_the_previous_shifts_notes(world, rosters):
    evening = rosters["shift_a2"]
    previous = selectors.previous_shift(shift=evening)
    assert previous == rosters["shift_a1"]
    assert [n.text for n in selectors.handovers(shift=previous)] == ["3号户体温正常，明早送菜。"]
    assert selectors.next_shift(shift=previous) == evening
    assert selectors.previous_shift(shift=previous) is None
    # A cancelled shift in between hands over nothing: the notes come from the one before.
    hq = world.actor("hq")
    between = services.shift_create(
        actor=hq, post=rosters["desk_a"], starts_at=at(MONDAY, 12), ends_at=at(MONDAY, 16)
    )
    services.shift_cancel(actor=hq, shift=between, version=1)
    assert selectors.previous_shift(shift=evening) == rosters["shift_a1"]
    assert HandoverNote.objects.count() == 1
