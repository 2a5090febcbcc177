import pytest
from django.core.exceptions import ValidationError

from epigrid.audit.models import AuditEvent
from epigrid.party import services
from epigrid.party.models import MemberUnit, PartyCommittee


@pytest.mark.django_db
def test_a_big_party_committee_belongs_to_one_community(world):
    hq = world.actor("hq")
    with pytest.raises(ValidationError, match="belongs to a community"):
        services.committee_create(actor=hq, jurisdiction=world.nodes["village_a"], name="x")
    with pytest.raises(ValidationError, match="already has"):
        services.committee_create(actor=hq, jurisdiction=world.nodes["community_c"], name="x")
    assert PartyCommittee.objects.count() == 1


@pytest.mark.django_db
def test_dissolving_ends_member_units(world):
    import datetime as dt

    hq = world.actor("hq")
    on = dt.date(2020, 6, 1)
    services.committee_dissolve(actor=hq, committee=world.committee, version=1, on=on)
    assert set(MemberUnit.objects.values_list("active_until", flat=True)) == {on}
    # Once dissolved, a new committee may be set up for the community.
    services.committee_create(actor=hq, jurisdiction=world.nodes["community_c"], name="新大党委")


@pytest.mark.django_db
def test_unit_contact_phone_is_validated(world):
    with pytest.raises(ValidationError) as info:
        services.unit_add(
            actor=world.actor("hq"),
            committee=world.committee,
            name="x",
            kind="agency",
            contact_phone="999",
        )
    assert list(info.value.message_dict) == ["contact_phone"]


@pytest.mark.django_db
def test_audit_list_is_scoped(world, api):
    from epigrid.workforce.services import staff_update

    staff_update(
        actor=world.actor("hq"),
        member=world.staff["grid_b.cadre"],
        version=1,
        name="乙",
        category="cadre",
    )
    staff_update(
        actor=world.actor("secretary"),
        member=world.staff["grid_a.cadre"],
        version=1,
        name="甲",
        category="cadre",
    )
    hq_events = api("hq").all("/audit-events")
    secretary_events = api("secretary").all("/audit-events")
    assert len(hq_events) == AuditEvent.objects.count()
    village = world.nodes["village_a"].code
    assert secretary_events
    assert all(e["jurisdiction"].startswith(village) for e in secretary_events)
    assert (
        next(e for e in secretary_events if e["action"] == "staff.update")["actor"] == "secretary"
    )
    assert not [e for e in secretary_events if e["after"] and e["after"].get("name") == "乙"]
    newest_first = [e["id"] for e in hq_events]
    assert newest_first == sorted(newest_first, reverse=True)
    filtered = api("hq").all("/audit-events", action="staff.update", actor="secretary")
    assert len(filtered) == 1


@pytest.mark.django_db
def test_audit_page_shows_changes(world, web):
    from epigrid.workforce.services import staff_update

    staff_update(
        actor=world.actor("hq"),
        member=world.staff["grid_b.cadre"],
        version=1,
        name="改过的名字",
        category="cadre",
    )
    page = web("hq").get("/audit/?action=staff.update").content.decode()
    assert "改过的名字" in page
    assert "grid_b-cadre" in page


def test_every_audited_action_has_a_readable_label():
    import pathlib
    import re

    from epigrid.audit.labels import ACTION_LABELS

    used = set()
    for path in (pathlib.Path(__file__).parents[1] / "epigrid").rglob("*.py"):
        used |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    assert used
    assert used - set(ACTION_LABELS) == set()
