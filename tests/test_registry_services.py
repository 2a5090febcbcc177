"""The register's rules: identity numbers, one record per person, residencies, arrivals, merge."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.indicators.selectors import figures_for
from epigrid.registry import services as reg
from epigrid.registry.duplicates import duplicate_candidates, duplicate_dismiss
from epigrid.registry.identity import check_resident_id
from epigrid.registry.models import (
    Arrival,
    CategoryAssignment,
    Person,
    PersonCategory,
    Residency,
    RiskArea,
)
from epigrid.registry.services import PersonInput

D = dt.date(2020, 2, 10)


def rid(region="440785", birth="19770707", seq="123") -> str:
    body = f"{region}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


# --- identity numbers -------------------------------------------------------------------


def test_a_region_code_newer_than_the_birth_year_is_a_note_not_an_error():
    number = rid("440785", "19900101")
    result = check_resident_id(number)
    assert result.number == number
    assert result.birth_date == dt.date(1990, 1, 1)
    assert result.sex == "m"  # odd sequence digit
    assert "440785" in result.note and "1990" in result.note
    assert ric.is_valid(number) is False  # what python-stdnum alone would have said


def test_the_old_code_fits_its_own_years_without_a_note():
    assert check_resident_id(rid("440723", "19900101", "124")).note == ""
    assert check_resident_id(rid("440723", "19900101", "124")).sex == "f"


@pytest.mark.parametrize("typed", ["{n}", " {s} ", "{fw}", "{lower}", "{dashed}"])
def test_typed_forms_are_normalised(typed):
    number = rid("110101", "19850615", "007")
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    fullwidth = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    text = typed.format(
        n=number, s=spaced, fw=fullwidth, lower=number.lower(), dashed=f"{number[:6]}-{number[6:]}"
    )
    assert check_resident_id(text).number == number


def _x_number() -> str:
    for seq in range(100, 999):
        n = rid("440785", "19880808", f"{seq:03d}")
        if n.endswith("X"):
            return n
    raise AssertionError


def test_a_lower_case_x_is_accepted():
    number = _x_number()
    assert check_resident_id(number.lower()).number == number


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("4.40785E+17", "Excel"),
        ("4.40785199001012E+17", "Excel"),
        ("440785199001011000", "000"),
        ("12345", "18 characters"),
        ("44078519900101123", "18 characters"),
        ("4407851990010112AB", "17 digits"),
        ("440785199013011234", "check character"),
    ],
)
def test_refusals_say_what_is_wrong(typed, words):
    with pytest.raises(ValidationError, match=words):
        check_resident_id(typed)


def test_impossible_dates_and_unknown_regions_are_refused():
    body = "44078519900230123"  # 30 February
    with pytest.raises(ValidationError, match="does not exist"):
        check_resident_id(body + ric.calc_check_digit(body + "0"))
    with pytest.raises(ValidationError, match="impossible"):
        check_resident_id(rid("440785", "20990101"))
    with pytest.raises(ValidationError, match="region code"):
        check_resident_id(rid("999999", "19900101"))


# --- persons, residencies -----------------------------------------------------------------


@pytest.fixture
def home(world):
    hq = world.actor("hq")
    building = reg.building_create(
        actor=hq, jurisdiction=world.nodes["grid_a"], address="锦岗村 新平路 1号"
    )
    unit = reg.unit_create(
        actor=hq, building=building, label="101", use="rental", rental_kind="single_household"
    )
    return building, unit


@pytest.mark.django_db
def test_one_record_per_document_number(world, home):
    actor = world.actor("worker_a")
    grid = world.nodes["grid_a"]
    before = Person.objects.count()
    data = PersonInput(name="张三", doc_number=rid(), phone="13800138000")
    first, outcome = reg.person_upsert(actor=actor, jurisdiction=grid, data=data)
    assert outcome == "created"
    again, outcome = reg.person_upsert(actor=actor, jurisdiction=grid, data=data)
    assert (again.pk, outcome) == (first.pk, "unchanged")
    moved, outcome = reg.person_upsert(
        actor=actor,
        jurisdiction=grid,
        data=PersonInput(name="张三", doc_number=rid(), phone="13900139000"),
    )
    assert (moved.pk, outcome, moved.phone) == (first.pk, "updated", "13900139000")
    assert Person.objects.count() == before + 1
    with pytest.raises(ValidationError, match="already registered"):
        reg.person_register(actor=actor, jurisdiction=grid, data=data)


@pytest.mark.django_db
def test_a_record_in_another_grid_is_linked_not_copied_nor_changed(world, home):
    grid_b = world.nodes["grid_b"]
    hq = world.actor("hq")
    person = reg.person_register(
        actor=hq, jurisdiction=grid_b, data=PersonInput(name="李四", doc_number=rid(seq="125"))
    )
    found, outcome = reg.person_upsert(
        actor=world.actor("worker_a"),
        jurisdiction=world.nodes["grid_a"],
        data=PersonInput(name="李四", doc_number=rid(seq="125"), phone="13700137000"),
    )
    assert (found.pk, outcome) == (person.pk, "unchanged")
    assert Person.objects.get(pk=person.pk).phone == ""
    # Moving into grid A brings the record to grid A.
    _building, unit = home
    reg.residency_start(
        actor=world.actor("worker_a"), person=found, unit=unit, role="tenant", move_in=D
    )
    person.refresh_from_db()
    assert person.jpath == world.nodes["grid_a"].path
    assert person.current_unit == unit


@pytest.mark.django_db
def test_residencies_move_people_and_keep_history(world, home):
    hq = world.actor("hq")
    building, unit = home
    other = reg.unit_create(
        actor=hq, building=building, label="102", use="rental", rental_kind="single_household"
    )
    person = reg.person_register(
        actor=hq,
        jurisdiction=world.nodes["grid_a"],
        data=PersonInput(name="王五", doc_number=rid(seq="127")),
    )
    first, created = reg.residency_start(
        actor=hq, person=person, unit=unit, role="tenant", move_in=D
    )
    assert created
    assert reg.residency_start(actor=hq, person=person, unit=unit, role="tenant")[1] is False
    reg.residency_start(
        actor=hq, person=person, unit=other, role="tenant", move_in=D + dt.timedelta(days=5)
    )
    first.refresh_from_db()
    assert first.move_out == D + dt.timedelta(days=5)
    assert Residency.objects.filter(person=person).count() == 2
    owner_home = reg.unit_create(actor=hq, building=building, label="自住", use="owner_occupied")
    with pytest.raises(ValidationError, match="rental unit"):
        reg.residency_start(actor=hq, person=person, unit=owner_home, role="tenant")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("doc_number", PersonInput(name="x", doc_number="4.40785E+17")),
        ("doc_number", PersonInput(name="x", doc_type="passport", doc_number="E1")),
        ("phone", PersonInput(name="x", phone="12")),
        ("name", PersonInput(name="  ")),
        ("doc_type", PersonInput(name="x", doc_type="visa")),
    ],
)
def test_person_refusals_change_nothing(world, field, data):
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as info:
        reg.person_register(actor=world.actor("hq"), jurisdiction=world.nodes["grid_a"], data=data)
    assert field in info.value.message_dict
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


# --- arrivals and risk areas -------------------------------------------------------------


@pytest.mark.django_db
def test_arrivals_are_judged_against_the_dated_list_of_source_areas(world):
    hq = world.actor("hq")
    grid = world.nodes["grid_a"]
    city = world.nodes["city"]

    def from_risk(on):
        return figures_for(actor=SYSTEM, node=city, as_of=on).totals["persons_from_risk_areas"]

    baseline = from_risk(D)
    p1 = reg.person_register(actor=hq, jurisdiction=grid, data=PersonInput(name="甲"))
    p2 = reg.person_register(actor=hq, jurisdiction=grid, data=PersonInput(name="乙"))
    a1, _ = reg.arrival_record(
        actor=hq, person=p1, arrived_on=D, from_place="长沙", from_code="430102", recorded_on=D
    )
    a2, _ = reg.arrival_record(
        actor=hq,
        person=p2,
        arrived_on=D,
        from_place="广州",
        from_code="440106",
        via_codes=["431022"],
        recorded_on=D,
    )
    assert (a1.touches_risk_area, a2.touches_risk_area) == (False, False)
    areas = RiskArea.objects.count()
    reg.risk_area_create(
        actor=hq, name="湖南省", region_code="43", active_from=dt.date(2020, 1, 23)
    )
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.touches_risk_area, a2.touches_risk_area) == (True, True)  # via counts too
    same, created = reg.arrival_record(
        actor=hq, person=p1, arrived_on=D, from_place="长沙", from_code="430102"
    )
    assert (same.pk, created) == (a1.pk, False)
    assert from_risk(D) == baseline + 2
    assert from_risk(D + dt.timedelta(days=40)) == 0  # long out of the 14-day window
    area = RiskArea.objects.get(region_code="43")
    reg.risk_area_end(actor=hq, area=area, on=dt.date(2020, 2, 5))
    a1.refresh_from_db()
    assert a1.touches_risk_area is False
    assert from_risk(D) == baseline
    with pytest.raises((PermissionDenied, Http404)):  # only headquarters keeps the list
        reg.risk_area_create(
            actor=world.actor("secretary"), name="x", region_code="44", active_from=D
        )
    assert RiskArea.objects.count() == areas + 1


@pytest.mark.django_db
def test_observation_window_follows_policy(world):
    from epigrid.policy.services import policy_set

    hq = world.actor("hq")
    reg.risk_area_create(actor=hq, name="湖南省", region_code="43", active_from=dt.date(2020, 1, 1))
    p = reg.person_register(
        actor=hq, jurisdiction=world.nodes["grid_a"], data=PersonInput(name="丙")
    )
    reg.arrival_record(
        actor=hq, person=p, arrived_on=D, from_place="长沙", from_code="4301", recorded_on=D
    )
    as_of = D + dt.timedelta(days=20)
    city = world.nodes["city"]
    assert figures_for(actor=SYSTEM, node=city, as_of=as_of).totals["persons_from_risk_areas"] == 0
    policy_set(actor=hq, key="observation_days", value=21, active_from=dt.date(2020, 2, 20))
    assert figures_for(actor=SYSTEM, node=city, as_of=as_of).totals["persons_from_risk_areas"] == 1
    with pytest.raises(ValidationError):
        policy_set(actor=hq, key="observation_days", value=0, active_from=D)


# --- duplicates and merge -----------------------------------------------------------------


@pytest.mark.django_db
def test_duplicates_are_found_and_merged_with_everything_moved(world, home):
    hq = world.actor("hq")
    grid = world.nodes["grid_a"]
    _building, unit = home
    keep = reg.person_register(
        actor=hq, jurisdiction=grid, data=PersonInput(name="赵六", phone="13600136000")
    )
    dup = reg.person_register(
        actor=hq,
        jurisdiction=grid,
        data=PersonInput(name="赵 六", doc_number=rid(seq="129"), phone="13600136000"),
    )
    reg.residency_start(actor=hq, person=dup, unit=unit, role="tenant", move_in=D)
    reg.arrival_record(actor=hq, person=dup, arrived_on=D, from_place="长沙", from_code="430102")
    category = PersonCategory.objects.get(code="source_area")
    reg.category_assign(actor=hq, person=dup, category=category, active_from=D)

    def ours(groups):
        return [
            (g.reason, sorted(p.pk for p in g.persons))
            for g in groups
            if {keep.pk, dup.pk} & {p.pk for p in g.persons}
        ]

    assert ours(duplicate_candidates(actor=hq)) == [("phone", sorted([keep.pk, dup.pk]))]
    assert duplicate_candidates(actor=world.actor("worker_a")) == []  # no merge capability

    moved = reg.person_merge(actor=hq, survivor=keep, duplicate=dup)
    assert moved["residencies"] == 1 and moved["arrivals"] == 1 and moved["categories"] == 1
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    assert keep.doc_number == rid(seq="129")  # filled from the duplicate
    assert keep.current_unit == unit
    assert Residency.objects.filter(person=keep).count() == 1
    assert Arrival.objects.filter(person=keep).count() == 1
    assert CategoryAssignment.objects.filter(person=keep).count() == 1
    assert AuditEvent.objects.filter(action="person.merge", entity_id=str(keep.pk)).count() == 1
    assert ours(duplicate_candidates(actor=hq)) == []
    with pytest.raises(ValidationError, match="already merged"):
        reg.person_merge(actor=hq, survivor=keep, duplicate=dup)


@pytest.mark.django_db
def test_different_numbers_are_different_people_and_dismissal_sticks(world):
    hq = world.actor("hq")
    grid = world.nodes["grid_a"]
    a = reg.person_register(
        actor=hq,
        jurisdiction=grid,
        data=PersonInput(name="孙七", doc_number=rid(seq="131"), phone="13500135000"),
    )
    b = reg.person_register(
        actor=hq,
        jurisdiction=grid,
        data=PersonInput(name="孙七", doc_number=rid(seq="133"), phone="13500135000"),
    )
    with pytest.raises(ValidationError, match="different people"):
        reg.person_merge(actor=hq, survivor=a, duplicate=b)

    def ours():
        return [
            g for g in duplicate_candidates(actor=hq) if {a.pk, b.pk} <= {p.pk for p in g.persons}
        ]

    assert len(ours()) == 1
    duplicate_dismiss(actor=hq, first=b, second=a)
    assert ours() == []
