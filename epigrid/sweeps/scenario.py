"""The rental sweep of the reference scenario (拉网式清查), per subdistrict as the seed counts it:
from 3 February every rental unit is in one campaign, assigned to its grid's workers; by
16 February 9,359 dispatches have inspected 4,670 rental houses and registered their tenants.
The few units where nobody was ever home stay in the coverage view as the named gap.

Visits are written in bulk (the visit service would upsert each tenant one by one; the
register part has already created them) and the units' stored facts are then recomputed
from the visits by the same function a repair would use.
"""

import datetime as dt

from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.registry.models import ResidencyRole
from epigrid.scenarios.builder import ScenarioContext, part

from .models import CampaignUnit, Outcome, Visit, VisitPerson
from .services import campaign_assign, campaign_facts_refresh, campaign_start

NAME = "出租屋拉网式清查"
DISPATCHES = 9359
SWEEP_START = dt.date(2020, 2, 3)
SWEEP_DAYS = 14  # 3 to 16 February
REFUSED_SHARE = 0.1  # of the visits before the one that registered the household


def _subdistrict_path(path: str) -> str:
    return ".".join(path.split(".")[:2]) + "."


def _group(units: list) -> dict[str, list]:
    groups: dict[str, list] = {}
    for unit in units:
        groups.setdefault(_subdistrict_path(unit.jpath), []).append(unit)
    return groups


@part(order=50)
def build_sweeps(ctx: ScenarioContext) -> None:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    register = ctx.data["registry"]
    tenants_by_unit = register["tenants_by_unit"]
    inspected_by_sub = _group(register["inspected_units"])
    gaps_by_sub = _group(register["never_reached_units"])
    grid_by_path = {g.path: g.id for g in ctx.data["small_grids"]}
    staff_by_node = ctx.data["staff_by_node"]

    def at(day: dt.date, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)

    sweep_open = at(SWEEP_START, 8 * 60)
    total_visits = total_units = 0
    for sub in ctx.data["subdistricts"]:
        campaign = campaign_start(
            actor=SYSTEM, jurisdiction=sub, name=NAME, rental_kinds=[], starts_on=SWEEP_START
        )
        campaign_assign(actor=SYSTEM, campaign=campaign, strategy="balanced")
        cu_of = {
            unit_id: (cu_id, staff_id)
            for cu_id, unit_id, staff_id in CampaignUnit.objects.filter(
                campaign=campaign
            ).values_list("id", "unit_id", "assignee_staff_id")
        }
        inspected = inspected_by_sub.get(sub.path, [])
        gaps = gaps_by_sub.get(sub.path, [])
        gap_visits = [rng.choice((1, 2)) for _unit in gaps]
        # Revisits before the visit that found someone home, so the dispatches add up.
        extra = DISPATCHES - len(inspected) - sum(gap_visits)
        assert extra >= 0, "more units than dispatches"
        revisits = [0] * len(inspected)
        for _i in range(extra):
            revisits[rng.randrange(len(inspected))] += 1

        visits: list[Visit] = []
        registered: list[tuple[int, list]] = []  # (index in visits, tenants found)

        def visit(
            unit, when: dt.datetime, outcome: str, campaign=campaign, cu_of=cu_of, visits=visits
        ) -> None:
            cu_id, staff_id = cu_of[unit.id]
            if staff_id is None:  # a grid nobody was assigned in: its cadre went
                staff_id = staff_by_node[grid_by_path[unit.jpath]][0].id
            visits.append(
                Visit(
                    campaign=campaign,
                    unit_id=unit.id,
                    campaign_unit_id=cu_id,
                    jpath=unit.jpath,
                    visited_at=when,
                    visited_by_id=staff_id,
                    outcome=outcome,
                )
            )

        for unit, n_before in zip(inspected, revisits, strict=True):
            tenants = tenants_by_unit[unit.id]
            day = min(t.registered_on for t in tenants)
            found_at = at(day, rng.randrange(9 * 60, 20 * 60))
            span = (found_at - sweep_open).total_seconds()
            for fraction in sorted(rng.random() for _i in range(n_before)):
                when = sweep_open + dt.timedelta(seconds=int(span * fraction))
                outcome = Outcome.REFUSED if rng.random() < REFUSED_SHARE else Outcome.NOBODY_HOME
                visit(unit, min(when, found_at - dt.timedelta(minutes=1)), outcome)
            visit(unit, found_at, Outcome.REGISTERED)
            registered.append((len(visits) - 1, tenants))
        for unit, n in zip(gaps, gap_visits, strict=True):
            days = sorted(rng.sample(range(SWEEP_DAYS), n))
            for d in days:
                when = at(SWEEP_START + dt.timedelta(days=d), rng.randrange(9 * 60, 21 * 60))
                visit(unit, when, Outcome.NOBODY_HOME)

        visits = Visit.objects.bulk_create(visits, batch_size=2000)
        VisitPerson.objects.bulk_create(
            [
                VisitPerson(
                    visit=visits[index], person=tenant, role=ResidencyRole.TENANT, created=True
                )
                for index, tenants in registered
                for tenant in tenants
            ],
            batch_size=5000,
        )
        campaign_facts_refresh(campaign=campaign)
        total_visits += len(visits)
        total_units += len(cu_of)

    ctx.count("sweep_visits", total_visits)
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="sweeps.visit",
        entity_id="*",
        entity_label=f"{total_visits} sweep visits",
        jpath=ctx.data["city"].path,
        after={"campaign_units": total_units, "visits": total_visits},
    )
