"""Fixtures of the work-resumption tests: the shared world with three enterprises, two
enterprise users, the desk and a task-force member (tests/enterprises/world.py)."""

import pytest

from .world import add_enterprise_world


@pytest.fixture
def eworld(world):
    return add_enterprise_world(world)
