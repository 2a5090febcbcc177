"""Coverage by grid and the grid worker's list of the day: exact numbers, right order, scope."""

from epigrid.accounts.access import SYSTEM
from epigrid.sweeps import selectors, services
from epigrid.sweeps.selectors import Coverage

from .world import when


def test_coverage_per_grid_is_exact(world, sweeps):
    n, campaign = world.nodes, sweeps["campaign"]
    by_path = selectors.coverage_by_path(actor=SYSTEM, campaign=campaign, path=n["sub"].path)
    assert by_path == {
        n["grid_a"].path: Coverage(units=5, inspected=1, nobody_home_only=1, never_visited=3),
        n["grid_a2"].path: Coverage(units=2, inspected=0, nobody_home_only=0, never_visited=2),
        n["grid_b"].path: Coverage(units=3, inspected=1, nobody_home_only=0, never_visited=2),
        n["grid_c"].path: Coverage(units=1, inspected=0, nobody_home_only=0, never_visited=1),
    }
    grid_a = by_path[n["grid_a"].path]
    assert (grid_a.gap, grid_a.percent, grid_a.no_one_missed) == (4, 20, False)


def test_drilldown_sums_children_and_respects_scope(world, sweeps):
    n, campaign = world.nodes, sweeps["campaign"]
    drill = selectors.coverage_drilldown(actor=world.actor("hq"), campaign=campaign, node=n["sub"])
    assert drill.total == Coverage(units=11, inspected=2, nobody_home_only=1, never_visited=8)
    assert [(c.code, cov.units, cov.inspected) for c, cov in drill.children] == [
        (n["village_a"].code, 7, 1),
        (n["village_b"].code, 3, 1),
        (n["community_c"].code, 1, 0),
    ]
    # The village secretary sees the same campaign, but only their village's units.
    mine = selectors.coverage_drilldown(
        actor=world.actor("secretary"), campaign=campaign, node=n["village_a"]
    )
    assert mine.total == Coverage(units=7, inspected=1, nobody_home_only=1, never_visited=5)
    assert [c.code for c, _cov in mine.children] == [n["big_a"].code]
    worker_b = selectors.coverage_by_path(
        actor=world.actor("worker_b"), campaign=campaign, path=n["sub"].path
    )
    assert list(worker_b) == [n["grid_b"].path]


def test_gap_list_names_every_unit_not_yet_inspected(world, sweeps):
    n, campaign = world.nodes, sweeps["campaign"]
    gaps = selectors.gap_units(actor=SYSTEM, campaign=campaign, path=n["grid_a"].path)
    assert sorted(cu.unit.label for cu in gaps) == ["02房", "03房", "04房", "05房"]
    # Visit them all: the grid's gap closes and "no one missed" holds.
    for cu in gaps:
        services.visit_record(
            actor=world.actor("worker_a"),
            campaign_unit=cu,
            visited_at=when(12),
            outcome="vacant",
        )
    grid_a = selectors.coverage_by_path(actor=SYSTEM, campaign=campaign, path=n["grid_a"].path)
    assert grid_a[n["grid_a"].path] == Coverage(units=5, inspected=5)
    assert grid_a[n["grid_a"].path].no_one_missed
    assert not selectors.gap_units(actor=SYSTEM, campaign=campaign, path=n["grid_a"].path)


def test_todays_list_is_the_workers_own_units_never_visited_first(world, sweeps):
    worker = world.actor("worker_a")
    campaign = sweeps["campaign"]
    mine = selectors.campaign_units(
        actor=SYSTEM, campaign=campaign, assignee_staff=world.staff["grid_a.cadre"].pk
    )
    assert sorted(cu.unit.label for cu in mine) == ["01房", "02房"]
    # 01房 is inspected (gone from the list), 02房 had nobody home. Give the worker more:
    # a unit to their team, and one never visited.
    extra_team = sweeps["cu"]("grid_a", 3)
    services.campaign_unit_assign(
        actor=SYSTEM, campaign_unit=extra_team, team=world.teams["grid_a"]
    )
    extra_own = sweeps["cu"]("grid_a", 4)
    services.campaign_unit_assign(
        actor=SYSTEM, campaign_unit=extra_own, staff=world.staff["grid_a.cadre"]
    )
    page = selectors.today_page(selectors.today_list(actor=worker), cursor=None, limit=50)
    labels = [(cu.unit.label, cu.bucket) for cu in page.items]
    assert labels == [("04房", 0), ("05房", 0), ("02房", 1)]
    # Keyset pages over (never visited first, then nobody home) lose and repeat nothing.
    first = selectors.today_page(selectors.today_list(actor=worker), cursor=None, limit=2)
    second = selectors.today_page(selectors.today_list(actor=worker), cursor=first.next, limit=2)
    assert [cu.pk for cu in first.items + second.items] == [cu.pk for cu in page.items]
    assert second.next is None
    # Other people's lists.
    assert not selectors.today_list(actor=world.actor("hq")).exists()  # no grid-worker record
    assert all(
        cu.jpath == world.nodes["grid_b"].path
        for cu in selectors.today_list(actor=world.actor("worker_b"))
    )


def test_my_coverage_rises_with_a_visit(world, sweeps):
    worker = world.actor("worker_a")
    [(campaign, before)] = selectors.my_coverage(actor=worker)
    assert campaign == sweeps["campaign"]
    assert before == Coverage(units=5, inspected=1, nobody_home_only=1, never_visited=3)
    services.visit_record(
        actor=worker, campaign_unit=sweeps["cu"]("grid_a", 1), visited_at=when(9), outcome="vacant"
    )
    [(_c, after)] = selectors.my_coverage(actor=worker)
    assert after == Coverage(units=5, inspected=2, nobody_home_only=0, never_visited=3)


def test_campaigns_above_ones_area_are_visible_but_not_their_other_grids(world, sweeps):
    campaign = sweeps["campaign"]
    for name in ("worker_a", "worker_b", "secretary", "hq", "analyst"):
        assert list(selectors.campaign_list(actor=world.actor(name))) == [campaign], name
    assert not selectors.campaign_list(actor=world.actor("nobody")).exists()
    # A campaign of village B is not visible in village A.
    other = services.campaign_start(
        actor=SYSTEM,
        jurisdiction=world.nodes["village_b"],
        name="郁文村清查",
        starts_on=campaign.starts_on,
    )
    assert other not in selectors.campaign_list(actor=world.actor("worker_a"))
    assert other in selectors.campaign_list(actor=world.actor("worker_b"))


def test_person_lookup_never_reveals_someone_outside_the_area(world, sweeps):
    from epigrid.sweeps.models import VisitPerson

    person_b = VisitPerson.objects.get(visit=sweeps["visit_b"]).person
    person_a = VisitPerson.objects.get(visit=sweeps["visit_a"]).person
    worker_a = world.actor("worker_a")
    found = selectors.person_known(
        actor=worker_a, doc_type="resident_id", doc_number=person_a.doc_number.lower()
    )
    assert found == person_a
    assert (
        selectors.person_known(
            actor=worker_a, doc_type="resident_id", doc_number=person_b.doc_number
        )
        is None
    )
    assert (
        selectors.person_known(
            actor=world.actor("worker_b"), doc_type="resident_id", doc_number=person_b.doc_number
        )
        == person_b
    )
