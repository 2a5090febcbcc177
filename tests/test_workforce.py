import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.workforce import services
from epigrid.workforce.models import GridResponsibility, StaffMember, Team, TeamMembership

D = dt.date(2020, 3, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        ("0750-7123456", "07507123456"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(world, raw, stored):
    m = services.staff_create(
        actor=world.actor("hq"),
        jurisdiction=world.nodes["grid_a"],
        name="张三",
        category="cadre",
        phone=raw,
    )
    assert m.phone == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("phone", {"phone": "12345"}),
        ("phone", {"phone": "not a phone"}),
        ("phone", {"phone": "1" * 60}),
        ("name", {"name": "   "}),
        ("name", {"name": "名" * 51}),
        ("category", {"category": "wizard"}),
    ],
)
def test_staff_refusals_change_nothing(world, field, kwargs):
    before = (StaffMember.objects.count(), AuditEvent.objects.count())
    args = {"name": "张三", "category": "cadre", **kwargs}
    with pytest.raises(ValidationError) as info:
        services.staff_create(actor=world.actor("hq"), jurisdiction=world.nodes["grid_a"], **args)
    assert list(info.value.message_dict) == [field]
    assert (StaffMember.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_hostile_strings_are_stored_verbatim_and_escaped_on_pages(world, web):
    name = '<script>alert("x")</script>'
    m = services.staff_create(
        actor=world.actor("hq"), jurisdiction=world.nodes["grid_a"], name=name, category="cadre"
    )
    page = web("hq").get(f"/workforce/staff/{m.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_concurrent_edits_of_a_grid_worker_conflict(world):
    hq = world.actor("hq")
    m = world.staff["grid_a.cadre"]
    services.staff_update(actor=hq, member=m, version=1, name="甲", category="cadre")
    with pytest.raises(ConcurrentEditError):
        services.staff_update(actor=hq, member=m, version=1, name="乙", category="cadre")
    assert StaffMember.objects.get(pk=m.pk).name == "甲"


@pytest.mark.django_db
def test_a_three_person_team_holds_three(world):
    hq = world.actor("hq")
    team = world.teams["grid_a"]
    extra = services.staff_create(
        actor=hq, jurisdiction=world.nodes["grid_a"], name="第四人", category="party_volunteer"
    )
    with pytest.raises(ValidationError, match="already has 3"):
        services.team_member_add(actor=hq, team=team, member=extra)
    assert TeamMembership.objects.filter(team=team, active_until__isnull=True).count() == 3


@pytest.mark.django_db
def test_members_come_from_the_team_area(world):
    hq = world.actor("hq")
    group = world.teams["big_a"]
    # A grid worker of village B cannot join village A's stationed work group...
    with pytest.raises(ValidationError, match="does not work in this team's area"):
        services.team_member_add(actor=hq, team=group, member=world.staff["grid_b.cadre"])
    # ...one of village A's small grids can (inside), and so can a subdistrict-level cadre.
    services.team_member_add(actor=hq, team=group, member=world.staff["grid_a.police"])
    top = services.staff_create(
        actor=hq, jurisdiction=world.nodes["sub"], name="街道干部", category="cadre"
    )
    services.team_member_add(actor=hq, team=group, member=top)
    with pytest.raises(ValidationError, match="already in this team"):
        services.team_member_add(actor=hq, team=group, member=top)


@pytest.mark.django_db
def test_leader_stays_until_replaced(world):
    hq = world.actor("hq")
    team = world.teams["grid_a"]
    leader = world.staff["grid_a.cadre"]
    with pytest.raises(ValidationError, match="another leader"):
        services.team_member_remove(actor=hq, team=team, member=leader)
    team = Team.objects.get(pk=team.pk)
    services.team_update(
        actor=hq,
        team=team,
        version=team.version,
        name=team.name,
        leader=world.staff["grid_a.police"],
    )
    services.team_member_remove(actor=hq, team=team, member=leader, on=D)
    row = TeamMembership.objects.get(team=team, staff=leader)
    assert row.active_until == D  # history kept


@pytest.mark.django_db
def test_taking_a_worker_off_duty_ends_memberships_and_keeps_history(world):
    hq = world.actor("hq")
    doctor = world.staff["grid_a.family_doctor"]
    services.staff_deactivate(actor=hq, member=doctor, version=1, on=D)
    doctor.refresh_from_db()
    assert doctor.active_until == D
    assert TeamMembership.objects.get(staff=doctor).active_until == D
    assert not doctor.is_active_on(D)
    assert doctor.is_active_on(D - dt.timedelta(days=1))
    # The responsible leader must hand over first.
    with pytest.raises(ValidationError, match="responsible for a grid"):
        services.staff_deactivate(actor=hq, member=world.staff["big_a.leader"], version=1, on=D)


@pytest.mark.django_db
def test_responsibility_handover_keeps_the_previous_holder(world):
    hq = world.actor("hq")
    grid = world.nodes["big_a"]
    newcomer = world.staff["big_a.secretary"]
    services.responsibility_assign(
        actor=hq, jurisdiction=grid, kind="responsible_leader", member=newcomer, on=D
    )
    rows = GridResponsibility.objects.filter(jurisdiction=grid, kind="responsible_leader")
    assert rows.count() == 2
    assert rows.get(active_until__isnull=True).staff == newcomer
    assert rows.get(active_until=D).staff == world.staff["big_a.leader"]


@pytest.mark.django_db
def test_every_write_is_audited_with_before_and_after(world):
    hq = world.actor("hq")
    m = world.staff["grid_b.cadre"]
    services.staff_update(
        actor=hq, member=m, version=1, name="王五", category="police", phone="13912345678"
    )
    event = AuditEvent.objects.get(action="staff.update")
    assert event.actor_username == "hq"
    assert event.entity_id == str(m.pk)
    assert event.jpath == world.nodes["grid_b"].path
    changed = {name: (old, new) for name, old, new in event.changed_fields()}
    assert changed["name"] == ("grid_b-cadre", "王五")
    assert changed["category"] == ("cadre", "police")
    assert changed["version"] == (1, 2)


@pytest.mark.django_db
def test_audit_events_are_append_only(world):
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@pytest.mark.django_db
def test_the_write_paths_find_the_same_grid_worker_as_the_pages(world):
    from epigrid.accounts.access import Actor
    from epigrid.accounts.models import User
    from epigrid.workforce.selectors import is_team_member, on_duty_record, staff_of

    hq = world.actor("hq")
    doctor = world.staff["grid_a.family_doctor"]
    user = User.objects.create(username="doctor_a")
    StaffMember.objects.filter(pk=doctor.pk).update(user=user)
    someone = Actor(user=User.objects.create(username="nobody"), grants=())
    me = Actor(user=user, grants=())
    found = on_duty_record(me)
    assert found is not None and found.pk == staff_of(me).pk == doctor.pk
    names = [f.attname for f in StaffMember._meta.concrete_fields]
    fresh = StaffMember.objects.get(pk=doctor.pk)
    assert [getattr(found, n) for n in names] == [getattr(fresh, n) for n in names]
    assert on_duty_record(someone) is None and staff_of(someone) is None
    team, other = world.teams["grid_a"], world.teams["grid_b"]
    assert is_team_member(doctor, team.pk) and not is_team_member(doctor, other.pk)
    services.staff_deactivate(actor=hq, member=doctor, version=1, on=D)
    assert on_duty_record(me) is None and staff_of(me) is None
    assert not is_team_member(doctor, team.pk)
