"""Fixtures of the checkpoint tests: the shared world with two checkpoints, one in grid A and
one in grid B."""

import pytest

from .world import make_checkpoint


@pytest.fixture
def cworld(world):
    world.checkpoints = {
        "a": make_checkpoint(world, grid="grid_a", name="锦岗村口"),
        "b": make_checkpoint(world, grid="grid_b", name="郁文村口"),
    }
    return world
