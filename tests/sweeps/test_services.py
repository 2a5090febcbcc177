"""Sweep services: starting, assigning, closing, and visits that register people once."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.geo.models import Kind
from epigrid.geo.services import jurisdiction_create
from epigrid.registry import services as reg
from epigrid.registry.models import Person, Residency
from epigrid.registry.services import PersonInput
from epigrid.sweeps import services
from epigrid.sweeps.models import Campaign, CampaignUnit, Visit, VisitPerson
from epigrid.workforce.models import TeamKind

from .world import KINDS, SWEEP_START, build_sweeps, resident_id, when


@pytest.fixture
def fresh(world):
    """The sweep world without any visits yet."""
    return build_sweeps(world, visits=False)


def counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "residencies": Residency.objects.count(),
        "visits": Visit.objects.count(),
        "found": VisitPerson.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def facts(cu: CampaignUnit) -> tuple:
    cu.refresh_from_db()
    return (cu.visits_count, cu.last_visit_at, cu.last_outcome, cu.first_inspected_at)


# --- start and assign ---------------------------------------------------------------------


def test_start_takes_every_rental_unit_of_the_kinds_in_scope(world, fresh):
    campaign = fresh["campaign"]
    units = {cu.unit_id for cu in CampaignUnit.objects.filter(campaign=campaign)}
    assert units == {u.pk for grid in fresh["units"].values() for u in grid}
    assert len(units) == 11
    assert all(cu.jpath == cu.unit.jpath for cu in CampaignUnit.objects.filter(campaign=campaign))
    event = AuditEvent.objects.filter(action="campaign.start").get()
    assert event.after["units"] == 11

    # A village's campaign over one kind only.
    village = services.campaign_start(
        actor=world.actor("secretary"),
        jurisdiction=world.nodes["village_a"],
        name="锦岗村网约房清查",
        rental_kinds=["online_rental"],
        starts_on=SWEEP_START,
    )
    kinds = Counter(
        CampaignUnit.objects.filter(campaign=village).values_list("unit__rental_kind", flat=True)
    )
    assert kinds == {"online_rental": 3}  # 02房 and 04房 in grid A, 02房 in grid A2


def test_start_refuses_bad_input_and_foreign_areas(world):
    secretary = world.actor("secretary")
    with pytest.raises(ValidationError) as info:
        services.campaign_start(
            actor=secretary,
            jurisdiction=world.nodes["village_a"],
            name=" ",
            rental_kinds=["castle"],
            starts_on=SWEEP_START,
        )
    assert "name" in info.value.error_dict
    with pytest.raises(ValidationError) as info:
        services.campaign_start(
            actor=secretary,
            jurisdiction=world.nodes["village_a"],
            name="x",
            rental_kinds=["castle"],
            starts_on=SWEEP_START,
            ends_on=SWEEP_START - dt.timedelta(days=1),
        )
    assert set(info.value.error_dict) == {"rental_kinds", "ends_on"}
    with pytest.raises(Http404):
        services.campaign_start(
            actor=secretary,
            jurisdiction=world.nodes["village_b"],
            name="x",
            starts_on=SWEEP_START,
        )
    with pytest.raises(PermissionDenied):
        services.campaign_start(
            actor=world.actor("worker_a"),
            jurisdiction=world.nodes["grid_a"],
            name="x",
            starts_on=SWEEP_START,
        )
    assert not Campaign.objects.exists()


def test_balanced_assignment_gives_exact_counts_within_each_grid(world, fresh):
    campaign = fresh["campaign"]
    rows = CampaignUnit.objects.filter(campaign=campaign).select_related("assignee_staff")
    per_grid: dict[str, Counter] = {}
    for cu in rows:
        assert cu.assignee_team_id is None
        assert cu.assignee_staff is not None
        assert cu.assignee_staff.jpath == cu.jpath  # the grid's own people
        per_grid.setdefault(cu.jpath, Counter())[cu.assignee_staff_id] += 1
    n = world.nodes
    assert sorted(per_grid[n["grid_a"].path].values()) == [1, 2, 2]
    assert sorted(per_grid[n["grid_a2"].path].values()) == [1, 1]
    assert sorted(per_grid[n["grid_b"].path].values()) == [1, 1, 1]
    assert sorted(per_grid[n["grid_c"].path].values()) == [1]
    # Neighbours stay together: each person's units are consecutive in the building.
    labels = {}
    for cu in rows.filter(jpath=n["grid_a"].path).order_by("unit__label"):
        labels.setdefault(cu.assignee_staff_id, []).append(int(cu.unit.label[:2]))
    assert all(v == list(range(v[0], v[0] + len(v))) for v in labels.values())
    event = AuditEvent.objects.filter(action="campaign.assign").get()
    assert event.after == {
        "strategy": "balanced",
        "within": n["sub"].code,
        "units": 11,
        "assigned": 11,
        "unassigned": 0,
        "assignees": 9,
    }


def test_team_assignment_and_the_big_grid_fallback(world, fresh):
    n = world.nodes
    # A new small grid under big grid B with nobody of its own: its units go to big grid B's
    # stationed work group (teams) or its people (balanced), never to grid B's.
    grid = jurisdiction_create(
        actor=SYSTEM, parent=n["big_b"], kind=Kind.SMALL_GRID, name="郁文村第2网格"
    )
    building = reg.building_create(actor=SYSTEM, jurisdiction=grid, address="郁文路1号")
    for label in ("A", "B", "C"):
        reg.unit_create(
            actor=SYSTEM, building=building, label=label, use="rental", rental_kind=KINDS[0]
        )
    campaign = services.campaign_start(
        actor=SYSTEM,
        jurisdiction=n["sub"],
        name="二次清查",
        rental_kinds=KINDS,
        starts_on=SWEEP_START,
    )
    result = services.campaign_assign(actor=SYSTEM, campaign=campaign, strategy="teams")
    assert result == {"units": 14, "assigned": 14, "unassigned": 0, "assignees": 5}
    rows = CampaignUnit.objects.filter(campaign=campaign).select_related("assignee_team")
    for cu in rows:
        assert cu.assignee_staff_id is None
        if cu.jpath == grid.path:
            assert cu.assignee_team == world.teams["big_b"]
            assert cu.assignee_team.kind == TeamKind.STATIONED_WORK_GROUP
        else:
            assert cu.assignee_team.jpath == cu.jpath
            assert cu.assignee_team.kind == TeamKind.THREE_PERSON_TEAM

    services.campaign_assign(actor=SYSTEM, campaign=campaign, strategy="balanced")
    new = Counter(rows.filter(jpath=grid.path).values_list("assignee_staff__jpath", flat=True))
    assert new == {n["big_b"].path: 3}
    assert not rows.filter(assignee_team__isnull=False).exists()


def test_a_secretary_assigns_inside_their_village_only(world, fresh):
    campaign = fresh["campaign"]
    secretary = world.actor("secretary")
    before = dict(CampaignUnit.objects.values_list("pk", "assignee_staff_id"))
    with pytest.raises(PermissionDenied):  # the whole subdistrict's campaign
        services.campaign_assign(actor=secretary, campaign=campaign)
    with pytest.raises(Http404):
        services.campaign_assign(actor=secretary, campaign=campaign, within=world.nodes["grid_b"])
    result = services.campaign_assign(
        actor=secretary, campaign=campaign, strategy="teams", within=world.nodes["village_a"]
    )
    assert result["units"] == 7
    changed = {
        pk
        for pk, staff in CampaignUnit.objects.values_list("pk", "assignee_staff_id")
        if before[pk] != staff
    }
    assert len(changed) == 7
    assert all(
        cu.jpath.startswith(world.nodes["village_a"].path)
        for cu in CampaignUnit.objects.filter(pk__in=changed)
    )
    with pytest.raises(PermissionDenied):
        services.campaign_assign(actor=world.actor("worker_a"), campaign=campaign)


def test_one_unit_goes_only_to_someone_of_its_grid(world, fresh):
    cu = fresh["cu"]("grid_a", 0)
    hq = world.actor("hq")
    services.campaign_unit_assign(actor=hq, campaign_unit=cu, team=world.teams["grid_a"])
    cu.refresh_from_db()
    assert (cu.assignee_staff_id, cu.assignee_team_id) == (None, world.teams["grid_a"].pk)
    with pytest.raises(ValidationError):
        services.campaign_unit_assign(actor=hq, campaign_unit=cu, staff=world.staff["grid_b.cadre"])
    services.campaign_unit_assign(actor=hq, campaign_unit=cu, staff=world.staff["big_a.leader"])
    cu.refresh_from_db()
    assert cu.assignee_staff_id == world.staff["big_a.leader"].pk


# --- visits -------------------------------------------------------------------------------


def test_a_visit_with_two_tenants_registers_both_and_moves_them_in(world, fresh):
    cu = fresh["cu"]("grid_a", 2)
    worker = world.actor("worker_a")
    ids = [resident_id("450881", "19950303", "021"), resident_id("430524", "19970707", "042")]
    before = counts()
    visit = services.visit_record(
        actor=worker,
        campaign_unit=cu,
        visited_at=when(6, 15),
        outcome="registered",
        note="两名租户",
        persons=[
            (PersonInput(name="黄小明", doc_number=ids[0], phone="13800138000"), "tenant"),
            (PersonInput(name="邓小红", doc_number=ids[1]), "tenant"),
        ],
    )
    after = counts()
    assert after["persons"] - before["persons"] == 2
    assert after["residencies"] - before["residencies"] == 2
    assert after["visits"] - before["visits"] == 1
    assert visit.visited_by == world.staff["grid_a.cadre"]  # the acting grid worker
    assert visit.recorded_by == world.users["worker_a"]
    found = list(VisitPerson.objects.filter(visit=visit).select_related("person"))
    assert {(vp.person.doc_number, vp.role, vp.created) for vp in found} == {
        (ids[0], "tenant", True),
        (ids[1], "tenant", True),
    }
    for vp in found:
        assert vp.person.current_unit_id == cu.unit_id
        assert vp.person.jpath == cu.jpath
        assert Residency.objects.filter(person=vp.person, unit=cu.unit, role="tenant").exists()
    assert facts(cu) == (1, when(6, 15), "registered", when(6, 15))
    event = AuditEvent.objects.filter(action="visit.record").latest("id")
    assert event.actor_username == "worker_a"
    assert sorted(p["created"] for p in event.after["persons"]) == [True, True]


def test_the_same_id_numbers_again_create_nothing_new(world, fresh):
    cu = fresh["cu"]("grid_a", 2)
    worker = world.actor("worker_a")
    ids = [resident_id("450881", "19950303", "021"), resident_id("430524", "19970707", "042")]
    services.visit_record(
        actor=worker,
        campaign_unit=cu,
        visited_at=when(6),
        outcome="registered",
        persons=[
            (PersonInput(name="黄小明", doc_number=ids[0]), "tenant"),
            (PersonInput(name="邓小红", doc_number=ids[1]), "tenant"),
        ],
    )
    before = counts()
    # Typed differently (spaces, lower case), and without names: recognised, not retyped.
    spaced = f"{ids[0][:6]} {ids[0][6:14]} {ids[0][14:]}".lower()
    visit = services.visit_record(
        actor=worker,
        campaign_unit=cu,
        visited_at=when(7),
        outcome="registered",
        persons=[
            (PersonInput(name="", doc_number=spaced), "tenant"),
            (PersonInput(name="", doc_number=ids[1]), "tenant"),
        ],
    )
    after = counts()
    assert after["persons"] == before["persons"]
    assert after["residencies"] == before["residencies"]
    assert after["visits"] == before["visits"] + 1
    found = VisitPerson.objects.filter(visit=visit).select_related("person")
    assert sorted(vp.person.name for vp in found) == ["邓小红", "黄小明"]
    assert not any(vp.created for vp in found)
    assert facts(cu) == (2, when(7), "registered", when(6))


def test_refusals_and_empty_doors_change_no_person(world, fresh):
    cu = fresh["cu"]("grid_a", 3)
    worker = world.actor("worker_a")
    before = counts()
    services.visit_record(actor=worker, campaign_unit=cu, visited_at=when(4), outcome="nobody_home")
    assert facts(cu) == (1, when(4), "nobody_home", None)
    services.visit_record(
        actor=worker, campaign_unit=cu, visited_at=when(5), outcome="refused", note="拒绝开门"
    )
    after = counts()
    assert (after["persons"], after["residencies"], after["found"]) == (
        before["persons"],
        before["residencies"],
        before["found"],
    )
    # Reaching the door counts as inspected, even when refused.
    assert facts(cu) == (2, when(5), "refused", when(5))
    # A visit entered late, dated before the others: first inspection moves, latest stays.
    services.visit_record(actor=worker, campaign_unit=cu, visited_at=when(3, 9), outcome="vacant")
    assert facts(cu) == (3, when(5), "refused", when(3, 9))


REFUSED_VISITS = [
    ("future", {"visited_at": "future"}, "visited_at"),
    ("before start", {"visited_at": timezone.make_aware(dt.datetime(2020, 2, 1, 9))}, "visited_at"),
    ("bad outcome", {"outcome": "burgled"}, "outcome"),
    ("registered, nobody named", {"outcome": "registered", "persons": []}, "persons"),
    (
        "people at an empty door",
        {"outcome": "nobody_home", "persons": [(PersonInput(name="某人"), "tenant")]},
        "persons",
    ),
    (
        "bad id in row 2",
        {
            "outcome": "registered",
            "persons": [
                (PersonInput(name="好人", doc_number=resident_id(seq="515")), "tenant"),
                (PersonInput(name="坏号", doc_number="440785199001011234"), "tenant"),
            ],
        },
        "persons.1.doc_number",
    ),
    (
        "unknown number, no name",
        {
            "outcome": "registered",
            "persons": [(PersonInput(name="", doc_number=resident_id(seq="517")), "tenant")],
        },
        "persons.0.name",
    ),
    (
        "same person twice",
        {
            "outcome": "registered",
            "persons": [
                (PersonInput(name="甲", doc_number=resident_id(seq="519")), "tenant"),
                (PersonInput(name="甲", doc_number=resident_id(seq="519")), "tenant"),
            ],
        },
        "persons.1.doc_number",
    ),
    (
        "bad role",
        {"outcome": "registered", "persons": [(PersonInput(name="乙"), "lodger")]},
        "persons.0.role",
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "field"), REFUSED_VISITS, ids=[c[0] for c in REFUSED_VISITS]
)
def test_refused_visits_keep_nothing(world, fresh, case, changes, field):
    cu = fresh["cu"]("grid_a", 4)
    kwargs = {"visited_at": when(8), "outcome": "nobody_home", "persons": [], **changes}
    if kwargs["visited_at"] == "future":
        kwargs["visited_at"] = timezone.now() + dt.timedelta(hours=1)
    before, before_facts = counts(), facts(cu)
    with pytest.raises(ValidationError) as info:
        services.visit_record(actor=world.actor("worker_a"), campaign_unit=cu, **kwargs)
    assert field in info.value.error_dict, info.value.error_dict
    assert counts() == before
    assert facts(cu) == before_facts


def test_visits_outside_ones_grid_or_role_are_refused(world, fresh):
    cu_a = fresh["cu"]("grid_a", 0)
    before = counts()
    with pytest.raises(Http404):  # worker B does not learn that grid A's unit exists
        services.visit_record(
            actor=world.actor("worker_b"), campaign_unit=cu_a, visited_at=when(8), outcome="vacant"
        )
    with pytest.raises(PermissionDenied):  # the analyst sees it but may not record
        services.visit_record(
            actor=world.actor("analyst"), campaign_unit=cu_a, visited_at=when(8), outcome="vacant"
        )
    with pytest.raises(ValidationError) as info:  # HQ has no grid-worker record: name one
        services.visit_record(
            actor=world.actor("hq"), campaign_unit=cu_a, visited_at=when(8), outcome="vacant"
        )
    assert "visited_by" in info.value.error_dict
    with pytest.raises(ValidationError) as info:  # grid B's worker did not go to grid A
        services.visit_record(
            actor=world.actor("hq"),
            campaign_unit=cu_a,
            visited_at=when(8),
            outcome="vacant",
            visited_by=world.staff["grid_b.cadre"],
        )
    assert "visited_by" in info.value.error_dict
    assert counts() == before
    visit = services.visit_record(
        actor=world.actor("hq"),
        campaign_unit=cu_a,
        visited_at=when(8),
        outcome="vacant",
        visited_by=world.staff["big_a.leader"],  # the big grid's leader went along
    )
    assert visit.visited_by == world.staff["big_a.leader"]


def test_a_team_visit_is_credited_to_the_team(world, fresh):
    cu = fresh["cu"]("grid_a", 0)
    services.campaign_unit_assign(actor=SYSTEM, campaign_unit=cu, team=world.teams["grid_a"])
    visit = services.visit_record(
        actor=world.actor("worker_a"), campaign_unit=cu, visited_at=when(9), outcome="vacant"
    )
    assert visit.team == world.teams["grid_a"]


def test_a_closed_campaign_takes_no_more_visits_or_assignments(world, fresh):
    campaign = fresh["campaign"]
    cu = fresh["cu"]("grid_a", 0)
    services.campaign_close(
        actor=world.actor("hq"),
        campaign=campaign,
        version=campaign.version,
        on=dt.date(2020, 2, 16),
    )
    assert campaign.is_closed
    before = counts()
    with pytest.raises(ValidationError) as info:
        services.visit_record(
            actor=world.actor("worker_a"), campaign_unit=cu, visited_at=when(10), outcome="vacant"
        )
    assert "visited_at" in info.value.error_dict
    with pytest.raises(ValidationError):
        services.campaign_assign(actor=world.actor("hq"), campaign=campaign)
    with pytest.raises(ValidationError):
        services.campaign_close(
            actor=world.actor("hq"), campaign=campaign, version=campaign.version
        )
    with pytest.raises(PermissionDenied):
        services.campaign_close(
            actor=world.actor("secretary"), campaign=campaign, version=campaign.version
        )
    assert counts() == before


def test_a_campaign_ending_later_still_takes_visits(world, fresh):
    campaign = fresh["campaign"]
    later = timezone.localdate() + dt.timedelta(days=3)
    services.campaign_close(actor=SYSTEM, campaign=campaign, version=campaign.version, on=later)
    visit = services.visit_record(
        actor=world.actor("worker_a"),
        campaign_unit=fresh["cu"]("grid_a", 0),
        visited_at=timezone.now(),
        outcome="vacant",
    )
    assert visit.pk


def test_merging_a_duplicate_moves_the_people_found(world, fresh):
    cu = fresh["cu"]("grid_a", 0)
    hq = world.actor("hq")
    visit = services.visit_record(
        actor=world.actor("worker_a"),
        campaign_unit=cu,
        visited_at=when(6),
        outcome="registered",
        persons=[(PersonInput(name="冯七", phone="13700000007"), "tenant")],
    )
    duplicate = VisitPerson.objects.get(visit=visit).person
    survivor = reg.person_register(
        actor=hq,
        jurisdiction=world.nodes["grid_a"],
        data=PersonInput(name="冯七", doc_number=resident_id(seq="777")),
    )
    moved = reg.person_merge(actor=hq, survivor=survivor, duplicate=duplicate)
    assert moved["sweeps.visits"] == 1
    assert VisitPerson.objects.get(visit=visit).person == survivor
