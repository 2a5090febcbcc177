import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.geo import services
from epigrid.geo.models import Jurisdiction, Kind, code_contains
from epigrid.indicators.selectors import figures_for


def test_codes_show_containment():
    assert code_contains("440785.001", "440785.001.07.1.02")
    assert code_contains("440785.001", "440785.001")
    assert not code_contains("440785.001", "440785.0011")
    assert not code_contains("440785.001.07", "440785.001.01.1")


@pytest.mark.django_db
def test_create_numbers_children_and_audits(world):
    hq = world.actor("hq")
    big = services.jurisdiction_create(
        actor=hq, parent=world.nodes["village_b"], kind=Kind.BIG_GRID, name="  第二  大网格 "
    )
    assert big.code == "440785.001.02.02"
    assert big.name == "第二 大网格"
    assert big.depth == 3
    event = AuditEvent.objects.get(action="jurisdiction.create", entity_id=str(big.pk))
    assert event.actor_username == "hq"
    assert event.after["code"] == big.code
    assert event.jurisdiction_code == big.code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parent", "kind", "name", "segment", "field"),
    [
        ("village_a", Kind.SMALL_GRID, "x", None, "kind"),  # small grid must sit in a big grid
        ("grid_a", Kind.SMALL_GRID, "x", None, "kind"),  # nothing under a small grid
        ("village_a", Kind.BIG_GRID, "", None, "name"),
        ("village_a", Kind.BIG_GRID, "长" * 101, None, "name"),
        ("village_a", Kind.BIG_GRID, "x", "1", "segment"),  # code taken
        ("village_a", Kind.BIG_GRID, "x", "a.b", "segment"),
        ("village_a", Kind.BIG_GRID, "x", "<script>", "segment"),
    ],
)
def test_create_refusals(world, parent, kind, name, segment, field):
    before = Jurisdiction.objects.count()
    with pytest.raises(ValidationError) as info:
        services.jurisdiction_create(
            actor=world.actor("hq"),
            parent=world.nodes[parent],
            kind=kind,
            name=name,
            segment=segment,
        )
    assert field in info.value.message_dict
    assert Jurisdiction.objects.count() == before


@pytest.mark.django_db
def test_only_the_command_line_creates_a_root(world):
    with pytest.raises(PermissionDenied):
        services.jurisdiction_create(
            actor=world.actor("hq"), parent=None, kind=Kind.CITY, name="x", code="440786"
        )
    node = services.jurisdiction_create(
        actor=SYSTEM, parent=None, kind=Kind.CITY, name="台山市", code="440781"
    )
    assert node.path == "440781."


@pytest.mark.django_db
def test_rename_refuses_a_stale_version(world):
    hq = world.actor("hq")
    node = world.nodes["grid_a"]
    services.jurisdiction_rename(actor=hq, node=node, version=1, name="新名")
    stale = Jurisdiction.objects.get(pk=node.pk)
    stale.version = 1
    with pytest.raises(ConcurrentEditError):
        services.jurisdiction_rename(actor=hq, node=stale, version=1, name="另一个名")
    assert Jurisdiction.objects.get(pk=node.pk).name == "新名"
    event = AuditEvent.objects.filter(action="jurisdiction.rename").get()
    assert (event.before["name"], event.after["name"]) == ("锦岗村第1网格", "新名")


@pytest.mark.django_db
def test_deactivation_keeps_history_and_figures_follow_the_date(world):
    hq = world.actor("hq")
    with pytest.raises(ValidationError, match="inside it first"):
        services.jurisdiction_deactivate(actor=hq, node=world.nodes["big_a"], version=1)
    node = services.jurisdiction_deactivate(
        actor=hq, node=world.nodes["grid_a2"], version=1, on=dt.date(2020, 3, 1)
    )
    assert node.active_until == dt.date(2020, 3, 1)
    city = world.nodes["city"]
    before = figures_for(actor=SYSTEM, node=city, as_of=dt.date(2020, 2, 29)).totals
    after = figures_for(actor=SYSTEM, node=city, as_of=dt.date(2020, 3, 1)).totals
    assert (before["grids_small"], after["grids_small"]) == (4, 3)
    with pytest.raises(ValidationError, match="already"):
        services.jurisdiction_deactivate(actor=hq, node=node, version=node.version)


@pytest.mark.django_db
def test_drilldown_sums_children(world):
    city = world.nodes["city"]
    result = figures_for(
        actor=SYSTEM, node=world.nodes["sub"], as_of=dt.date(2020, 2, 16), with_children=True
    )
    assert result.totals["grids_small"] == 4
    assert result.totals["grid_workers"] == 18
    by_child = {c.code: v for c, v in result.children}
    assert by_child["440785.001.01"]["grids_small"] == 2
    assert by_child["440785.001.01"]["grid_workers"] == 8
    assert by_child["440785.001.03"]["party_committees"] == 1
    assert sum(v["grid_workers"] for v in by_child.values()) == 18
    assert (
        figures_for(actor=SYSTEM, node=city, as_of=dt.date(2020, 1, 1)).totals["grid_workers"] == 0
    )
