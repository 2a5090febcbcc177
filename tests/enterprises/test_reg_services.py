"""The enterprise register's services: the credit code, grid, phone and staff-count rules,
version-checked edits and enterprise user accounts. Every refusal has its exact message and
leaves the database as it was."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from stdnum.cn import uscc

from epigrid.accounts.access import actor_for
from epigrid.accounts.models import RoleAssignment, User
from epigrid.accounts.roles import Role
from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.enterprises.models import Enterprise, EnterpriseMember
from epigrid.enterprises.services import enterprises as services
from epigrid.enterprises.services import members
from tests.access_runner import db_fingerprint

from ..world import PASSWORD

pytestmark = pytest.mark.django_db

NEW_CODE = "91440785MA4UJ8XT0" + uscc.calc_check_digit("91440785MA4UJ8XT0")  # ...D


def new(world, who="secretary", **overrides):
    values = {
        "name": "锦岗纸品厂",
        "uscc": NEW_CODE,
        "address": "锦岗村工业路9号",
        "jurisdiction": world.nodes["grid_a"],
        "industry": "manufacturing",
        "size": "small",
        "legal_rep": "陈一",
        "contact_name": "陈二",
        "contact_phone": "13712345679",
        "employees": 12,
        **overrides,
    }
    return services.enterprise_create(actor=world.actor(who), **values)


def refused(world, who="secretary", **overrides) -> dict:
    before = db_fingerprint()
    with pytest.raises(ValidationError) as info:
        new(world, who, **overrides)
    assert db_fingerprint() == before
    return info.value.message_dict


def test_create_tidies_the_code_and_phone_and_audits(eworld):
    typed = "９１４４０７８５ma4uj8xt0" + NEW_CODE[-1].lower()  # full-width digits, lower case
    e = new(eworld, uscc=" " + typed[:6] + " " + typed[6:], contact_phone="137 1234 5679")
    assert e.uscc == NEW_CODE
    assert e.contact_phone == "13712345679"
    assert e.jpath == eworld.nodes["grid_a"].path
    event = AuditEvent.objects.get(action="enterprise.create", entity_id=str(e.pk))
    assert event.actor_username == "secretary"
    assert event.after["uscc"] == NEW_CODE


def test_credit_code_refusals_have_exact_messages(eworld):
    wrong_check = NEW_CODE[:17] + ("1" if NEW_CODE[-1] != "1" else "2")
    assert refused(eworld, uscc=wrong_check) == {
        "uscc": ["The check character of this credit code is wrong; check the code."]
    }
    assert refused(eworld, uscc="12345") == {
        "uscc": [
            "A unified social credit code is 18 digits and capital letters (GB 32100); "
            "this one is not."
        ]
    }
    assert refused(eworld, uscc="") == {"uscc": ["This field is required."]}


def test_a_taken_code_names_the_holder_only_to_who_reaches_it(eworld):
    # secretary reaches enterprise A (village A): told which enterprise holds the code.
    assert refused(eworld, uscc="91440785ma4uj8xx0g") == {
        "uscc": ["This credit code is already registered to 锦岗五金厂."]
    }
    # secretary does not reach enterprise B (village B): only "already registered".
    assert refused(eworld, uscc="91440785MA4UJ8XY0H") == {
        "uscc": ["This credit code is already registered."]
    }


def test_grid_phone_and_staff_count_refusals(eworld):
    assert refused(eworld, jurisdiction=eworld.nodes["grid_b"]) == {
        "jurisdiction": ["No small grid with this code in your area."]
    }
    assert refused(eworld, jurisdiction=eworld.nodes["big_a"]) == {
        "jurisdiction": ["An enterprise belongs to a current small grid."]
    }
    errors = refused(eworld, contact_phone="12345", employees=-1, name="  ", industry="mining")
    assert errors == {
        "name": ["This field is required."],
        "industry": ["Choose one of the allowed values."],
        "contact_phone": ["This phone number is not valid."],
        "employees": ["Enter a number from 0 to 100,000."],
    }
    assert refused(eworld, employees="abc") == {"employees": ["Enter a whole number."]}


def test_only_managers_register(eworld):
    before = db_fingerprint()
    for who in ("worker_a", "analyst", "desk", "inspector", "ent_a"):
        with pytest.raises(PermissionDenied):
            new(eworld, who)
    assert db_fingerprint() == before


def test_update_is_version_checked_and_audited(eworld):
    e = eworld.enterprises["a"]
    actor = eworld.actor("secretary")
    services.enterprise_update(actor=actor, enterprise=e, version=1, name="锦岗五金二厂")
    assert Enterprise.objects.get(pk=e.pk).name == "锦岗五金二厂"
    event = AuditEvent.objects.get(action="enterprise.update")
    assert (event.before["name"], event.after["name"]) == ("锦岗五金厂", "锦岗五金二厂")
    stale = Enterprise.objects.get(pk=e.pk)
    before = db_fingerprint()
    with pytest.raises(ConcurrentEditError):
        services.enterprise_update(actor=actor, enterprise=stale, version=1, employees=5)
    with pytest.raises(ValidationError) as info:
        services.enterprise_update(
            actor=actor, enterprise=stale, version=2, uscc="91440785MA4UJ8XW0F"
        )
    assert info.value.message_dict == {
        "uscc": ["This credit code is already registered to 锦岗食品厂."]
    }
    assert db_fingerprint() == before


def test_update_outside_scope_is_404_and_by_a_viewer_403(eworld):
    b = eworld.enterprises["b"]
    with pytest.raises(Http404):
        services.enterprise_update(
            actor=eworld.actor("secretary"), enterprise=b, version=1, name="x"
        )
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=eworld.actor("desk"), enterprise=b, version=1, name="x")
    # Its own enterprise's register entry is the staff's to keep.
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=eworld.actor("ent_b"), enterprise=b, version=1, name="x")
    with pytest.raises(Http404):
        services.enterprise_update(actor=eworld.actor("ent_a"), enterprise=b, version=1, name="x")


def test_enterprise_user_create_makes_login_role_and_membership(eworld):
    a = eworld.enterprises["a"]
    member = members.enterprise_user_create(
        actor=eworld.actor("secretary"),
        enterprise=a,
        username="ent_a_2",
        full_name="李出纳",
        phone="13712345670",
        password=PASSWORD,
    )
    user = User.objects.get(username="ent_a_2")
    assert member.enterprise == a and member.user == user
    assert user.check_password(PASSWORD)
    grant = RoleAssignment.objects.get(user=user)
    assert (grant.role, grant.jpath) == (Role.ENTERPRISE, a.jpath)
    actions = set(
        AuditEvent.objects.filter(actor_username="secretary").values_list("action", flat=True)
    )
    assert {"user.create", "role.grant", "enterprise_user.create"} <= actions
    # The new login reaches its enterprise only.
    from epigrid.enterprises.access import own_enterprise_id

    assert own_enterprise_id(actor_for(user)) == a.pk

    members.enterprise_user_disable(actor=eworld.actor("secretary"), member=member)
    user.refresh_from_db()
    assert not user.is_active
    assert actor_for(user).grants == ()
    assert AuditEvent.objects.filter(action="enterprise_user.disable").count() == 1


def test_enterprise_user_refusals_change_nothing(eworld):
    a, b = eworld.enterprises["a"], eworld.enterprises["b"]
    before = db_fingerprint()
    with pytest.raises(ValidationError) as info:
        members.enterprise_user_create(
            actor=eworld.actor("secretary"),
            enterprise=a,
            username="ent_a",
            full_name="重名",
            phone="",
            password=PASSWORD,
        )
    assert info.value.message_dict == {"username": ["This user name is taken."]}
    with pytest.raises(ValidationError) as info:
        members.enterprise_user_create(
            actor=eworld.actor("secretary"),
            enterprise=a,
            username="new_one",
            full_name="",
            phone="abc",
            password="",
        )
    assert info.value.message_dict == {
        "full_name": ["This field is required."],
        "phone": ["This is not a phone number."],
        "password": ["This field is required."],
    }
    with pytest.raises(Http404):
        members.enterprise_user_create(
            actor=eworld.actor("secretary"),
            enterprise=b,
            username="x1",
            full_name="x",
            phone="",
            password=PASSWORD,
        )
    with pytest.raises(Http404):  # an enterprise user cannot open accounts, not even its own
        members.enterprise_user_create(
            actor=eworld.actor("ent_b"),
            enterprise=a,
            username="x2",
            full_name="x",
            phone="",
            password=PASSWORD,
        )
    assert db_fingerprint() == before
    assert EnterpriseMember.objects.count() == 2


def test_moving_an_enterprise_moves_its_rows(eworld):
    from epigrid.enterprises.models import Employee
    from epigrid.enterprises.services.employees import employee_add
    from tests.world_register import resident_id

    a = eworld.enterprises["a"]
    actor = eworld.actor("secretary")
    employee = employee_add(
        actor=actor,
        enterprise=a,
        name="周",
        doc_type="resident_id",
        doc_number=resident_id("440785", "19900101", "111"),
    )
    grid = eworld.nodes["grid_a2"]
    services.enterprise_update(actor=actor, enterprise=a, version=1, jurisdiction=grid)
    assert Enterprise.objects.get(pk=a.pk).jpath == grid.path
    assert Employee.objects.get(pk=employee.pk).jpath == grid.path
    # worker_a (grid A) no longer reaches it; nothing was refused for the secretary.
    from epigrid.enterprises.selectors.enterprises import enterprise_list

    assert list(enterprise_list(actor=eworld.actor("worker_a"))) == []
