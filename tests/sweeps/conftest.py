import pytest

from tests.conftest import Api  # noqa: F401 - shared by this package's tests

from .world import build_sweeps


@pytest.fixture
def sweeps(world):
    """The shared test world with a sweep campaign, its units assigned and a few visits."""
    return build_sweeps(world)
