import pytest

from tests.conftest import Api  # noqa: F401 - shared by this package's tests

from .world import build_rosters


@pytest.fixture
def rosters(world):
    """The shared test world with two posts, three shifts and a hand-over note."""
    world.rosters = build_rosters(world)
    return world.rosters
