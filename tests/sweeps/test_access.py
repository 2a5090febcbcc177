"""The access matrix for sweep campaigns: the shared cases (tests/access_cases.py) that need a
campaign, its units and visits in the world, run like tests/test_access.py runs the others."""

import pytest

from tests.access_cases import (
    SWEEP_API_READS,
    SWEEP_API_WRITES,
    SWEEP_PAGE_READS,
    SWEEP_PAGE_WRITES,
    placeholders,
)
from tests.access_runner import assert_read, assert_write, matrix, send

from .world import build_sweeps


@pytest.fixture
def sweep_world(world):
    world.sweeps = build_sweeps(world)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(SWEEP_API_READS + SWEEP_PAGE_READS))
def test_sweep_reads(sweep_world, case, actor):
    assert_read(send(case, actor, sweep_world, placeholders(sweep_world)), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(SWEEP_API_WRITES + SWEEP_PAGE_WRITES))
def test_sweep_writes(sweep_world, case, actor):
    assert_write(case, actor, lambda: send(case, actor, sweep_world, placeholders(sweep_world)))


@pytest.mark.django_db
def test_a_worker_never_learns_of_another_grids_people(sweep_world, api):
    """Searching the visit lookup or the visits list with a person of grid B, as worker A,
    finds nothing, not a hint."""
    from epigrid.sweeps.models import VisitPerson

    person_b = VisitPerson.objects.get(visit=sweep_world.sweeps["visit_b"]).person
    worker_a = api("worker_a")
    visits = worker_a.all("/sweeps/visits")
    assert visits and all(
        v["jurisdiction"].startswith(sweep_world.nodes["village_a"].code) for v in visits
    )
    assert person_b.name not in str(visits)
    units = worker_a.all(f"/sweeps/campaigns/{sweep_world.sweeps['campaign'].pk}/units")
    assert {u["jurisdiction"] for u in units} == {sweep_world.nodes["grid_a"].code}
