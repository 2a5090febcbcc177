"""Fixtures of the quarantine tests: the shared world with grid workers' logins linked to
their teams, and cases opened through the services at a frozen time."""

import datetime as dt

import pytest

from epigrid.quarantine.services import cases as services
from epigrid.registry.models import PersonCategory

from .world import frozen, link_logins, local, new_person

DAY = dt.date(2020, 2, 3)  # a Monday; cases in these tests start on it


@pytest.fixture
def qworld(world):
    link_logins(world)
    return world


@pytest.fixture
def open_case(qworld):
    """Opens a case through case_open at `at` (default DAY 08:00) as `actor` (default hq)."""

    def make(
        *,
        grid: str = "grid_a",
        name: str = "观察乙",
        start: dt.date = DAY,
        at: dt.datetime | None = None,
        actor: str = "hq",
        person=None,
        **kwargs,
    ):
        person = person or new_person(qworld, grid=grid, name=name)
        with frozen(at or local(DAY, 8)):
            return services.case_open(
                actor=qworld.actor(actor),
                person=person,
                reason=PersonCategory.objects.get(code="source_area"),
                regime=kwargs.pop("regime", "home_quarantine"),
                jurisdiction=qworld.nodes[grid],
                start_date=start,
                **kwargs,
            )

    return make


@pytest.fixture
def eapi(api):
    """The API client of tests/conftest.py, answering in English (messages are matched)."""

    def make(username):
        client = api(username)
        client.headers["Accept-Language"] = "en"
        return client

    return make
