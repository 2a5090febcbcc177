"""The Encheng reference scenario reproduces the seed's figures, and K times them at --scale K."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from epigrid.accounts.models import User

from .conftest import Api

SEED = {
    "villages_communities": 28,
    "communities": 10,
    "party_committees": 10,
    "grids_big": 28,
    "grids_small": 228,
    "grid_workers": 1092,
    "sweep_visits": 9359,
    "rental_houses_inspected": 4670,
    "tenants_registered": 7943,
    "persons_from_risk_areas": 161,
    # Home quarantine: 16 of the 161 (the seed); the rest is the scenario's own history.
    "quarantine_needed": 16,
    "quarantine_active": 16,
    "followups_done_today": 30,
    "followups_overdue": 2,
    "fever_alerts_open": 1,
    "assistance_open": 2,
    # Temperature checkpoints: the seed's 128; the as-of day's checks are the scenario's own.
    "checkpoints": 128,
    "checks_today": 1359,
    "vehicles_nonlocal_today": 77,
    "fever_found_today": 1,
    "turned_back_today": 26,
    # Work resumption: the seed's nearly 1,000 enterprises (996), 678 applications, 585
    # approved, 15 task forces, 158 employees from source areas; the rest the scenario's own.
    "enterprises": 996,
    "resumption_applications": 678,
    "resumption_approved": 585,
    "task_forces": 15,
    "enterprise_workers_from_risk_areas": 158,
    "inspections_done": 218,
    "rectifications_open": 15,
    "enterprise_needs_open": 14,
}


def figures(*args: str) -> dict:
    out = io.StringIO()
    call_command("indicators", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize("scale", [1, 2])
def test_scenario_figures_are_the_seed_times_scale(scale, tmp_path):
    accounts = tmp_path / "accounts.json"
    call_command(
        "scenario",
        "encheng",
        "--scale",
        str(scale),
        "--accounts-json",
        str(accounts),
        stdout=io.StringIO(),
    )
    result = figures("--as-of", "2020-02-16")
    assert result["as_of"] == "2020-02-16"
    assert result["jurisdiction"] == "440785"
    assert result["indicators"] == {k: v * scale for k, v in SEED.items()}
    # Each subdistrict on its own is exactly Encheng.
    assert figures("--as-of", "2020-02-16", "--jurisdiction", "440785.001")["indicators"] == SEED

    listed = json.loads(accounts.read_text())
    assert {a["role"] for a in listed} >= {"hq", "village_secretary", "grid_worker", "analyst"}
    workers = [a for a in listed if a["role"] == "grid_worker"]
    assert len({w["jurisdiction"] for w in workers}) >= 2
    assert all(set(a) == {"username", "role", "jurisdiction"} for a in listed)


@pytest.mark.django_db(transaction=True)  # --reset empties tables, as it does outside tests
def test_seed_changes_people_not_counts():
    call_command("scenario", "encheng", "--seed", "1", stdout=io.StringIO())
    from epigrid.workforce.models import StaffMember

    names_1 = list(StaffMember.objects.order_by("id").values_list("name", flat=True)[:50])
    call_command("scenario", "encheng", "--seed", "2", "--reset", stdout=io.StringIO())
    names_2 = list(StaffMember.objects.order_by("id").values_list("name", flat=True)[:50])
    assert names_1 != names_2
    assert figures("--as-of", "2020-02-16")["indicators"] == SEED


@pytest.mark.django_db
def test_scenario_refuses_a_non_empty_database():
    call_command("scenario", "encheng", stdout=io.StringIO())
    users = User.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("scenario", "encheng", stdout=io.StringIO())
    assert User.objects.count() == users
    out = io.StringIO()
    call_command("scenario", "encheng", "--if-empty", stdout=out)
    assert "already holds data" in out.getvalue()


@pytest.mark.django_db
def test_before_the_grids_existed_there_is_nothing_to_count():
    call_command("scenario", "encheng", stdout=io.StringIO())
    assert figures("--as-of", "2020-01-01")["indicators"] == {k: 0 for k in SEED}


@pytest.mark.django_db
def test_every_figure_equals_what_the_scoped_api_lists_count():
    call_command("scenario", "encheng", stdout=io.StringIO())
    from epigrid.accounts.access import SYSTEM
    from epigrid.accounts.models import User as U
    from epigrid.accounts.services import token_create

    hq = Api(token_create(actor=SYSTEM, user=U.objects.get(username="hq_encheng")))
    code = "440785.001"
    result = figures("--jurisdiction", code)["indicators"]

    def count(path, **params):
        return len(hq.all(path, limit=500, **params))

    assert result["villages_communities"] == count(
        "/jurisdictions", within=code, kind=["village", "community"]
    )
    assert result["communities"] == count("/jurisdictions", within=code, kind="community")
    assert result["grids_big"] == count("/jurisdictions", within=code, kind="big_grid")
    assert result["grids_small"] == count("/jurisdictions", within=code, kind="small_grid")
    assert result["grid_workers"] == count("/staff", within=code)
    assert result["party_committees"] == count("/party-committees", within=code)
    # The register's figures, as of 2020-02-16 (today every arrival is outside the window).
    as_of = figures("--jurisdiction", code, "--as-of", "2020-02-16")["indicators"]
    tenancies = hq.all("/residencies", within=code, role="tenant", limit=500)
    assert (
        as_of["tenants_registered"]
        == len([t for t in tenancies if t["recorded_on"] <= "2020-02-16"])
        == 7943
    )
    arrivals = hq.all("/arrivals", within=code, risk_only="true", since="2020-02-03", limit=500)
    assert (
        as_of["persons_from_risk_areas"]
        == len({a["person_id"] for a in arrivals if a["arrived_on"] <= "2020-02-16"})
        == 161
    )
    api_figures = hq.get("/indicators", jurisdiction=code).json()
    assert api_figures["indicators"] == result
    assert api_figures["jurisdiction"] == code
