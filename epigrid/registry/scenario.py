"""The register of the reference scenario, per subdistrict as the seed counts it:
4,670 rental houses inspected (plus a few where nobody was ever home: the named gap of "no
one missed"), 7,943 tenant records registered between 3 and 16 February, and 161 persons
who arrived from Hubei (the epidemic source area) within the 14 days before 16 February.
"""

import datetime as dt

from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.scenarios.builder import START, ScenarioContext, part

from .models import (
    Arrival,
    Building,
    BuildingKind,
    CategoryAssignment,
    HousingUnit,
    Person,
    PersonCategory,
    RentalKind,
    Residency,
    ResidencyRole,
    RiskArea,
    Transport,
    UnitUse,
)
from .normalize import address_norm, name_norm

RENTALS_INSPECTED = 4670
RENTALS_NEVER_REACHED = 25  # only "nobody home" so far: the gap the coverage view names
TENANTS = 7943
FROM_RISK_AREAS = 161
OTHER_ARRIVALS = 300
SWEEP_START = dt.date(2020, 2, 3)
AS_OF = dt.date(2020, 2, 16)
RISK_AREA = ("湖北省", "42", dt.date(2020, 1, 23))

RENTAL_KINDS = [
    (RentalKind.SINGLE_HOUSEHOLD, 40),
    (RentalKind.MANAGED_SUITE, 20),
    (RentalKind.SMALL_PROPERTY, 12),
    (RentalKind.OLD_COMMERCIAL, 15),
    (RentalKind.ONLINE_RENTAL, 5),
    (RentalKind.SERVICED_APARTMENT, 8),
]
HOME_REGIONS = [  # (code, household-registration place)
    ("440785", "广东省恩平市"),
    ("440783", "广东省开平市"),
    ("440781", "广东省台山市"),
    ("450881", "广西壮族自治区桂平市"),
    ("430524", "湖南省隆回县"),
    ("511622", "四川省武胜县"),
    ("522121", "贵州省遵义县"),
    ("360731", "江西省于都县"),
]
HUBEI = [
    ("420102", "湖北省武汉市江岸区"),
    ("420106", "湖北省武汉市武昌区"),
    ("421022", "湖北省公安县"),
    ("420984", "湖北省汉川市"),
    ("421181", "湖北省麻城市"),
]
STREETS = ["恩城大道", "新平路", "锦江大道", "西门路", "南堤东路", "江南路", "康华路", "东华路"]


def _resident_id(rng, region: str, used: set[str]) -> tuple[str, dt.date, str]:
    while True:
        birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 48))
        seq = f"{rng.randrange(1, 999):03d}"
        body = f"{region}{birth:%Y%m%d}{seq}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number, birth, "m" if int(seq[-1]) % 2 else "f"


def _spread(total: int, buckets: int) -> list[int]:
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


@part(order=40)
def build_register(ctx: ScenarioContext) -> None:
    from epigrid.scenarios.encheng import mobile, person_name

    rng = ctx.rng
    if not RiskArea.objects.filter(region_code=RISK_AREA[1]).exists():
        RiskArea.objects.create(
            name=RISK_AREA[0], region_code=RISK_AREA[1], active_from=RISK_AREA[2]
        )
    # A reset empties the table the first migration filled: make sure the category is there.
    source_area, _created = PersonCategory.objects.get_or_create(
        code="source_area",
        defaults={"name": "涉疫源地人员", "description": "来自或途经疫情源地的人员"},
    )
    used_ids: set[str] = set()
    kinds, weights = zip(*RENTAL_KINDS, strict=True)
    summary = {"buildings": 0, "units": 0, "persons": 0, "tenancies": 0, "arrivals": 0}
    inspected: list[HousingUnit] = []
    never_reached: list[HousingUnit] = []
    tenants_by_unit: dict[int, list[Person]] = {}

    def person(grid, region, place, day) -> Person:
        number, birth, sex = _resident_id(rng, region, used_ids)
        name = person_name(rng)
        return Person(
            name=name,
            name_norm=name_norm(name),
            doc_number=number,
            birth_date=birth,
            sex=sex,
            phone=mobile(rng),
            hukou_place=place,
            jurisdiction=grid,
            jpath=grid.path,
            registered_on=day,
        )

    for sub in ctx.data["subdistricts"]:
        grids = [g for g in ctx.data["small_grids"] if g.path.startswith(sub.path)]
        rentals_per_grid = _spread(RENTALS_INSPECTED + RENTALS_NEVER_REACHED, len(grids))
        buildings: list[Building] = []
        plan: list[tuple[int, int]] = []  # (building index, rental units in it)
        for grid, n in zip(grids, rentals_per_grid, strict=True):
            while n > 0:
                size = min(n, rng.choice([1, 1, 2, 3, 4, 6]))
                street = rng.choice(STREETS)
                address = f"{grid.parent.parent.name}{street}{len(buildings) + 1}号"
                kind = BuildingKind.COMPOUND if size >= 4 else BuildingKind.HOUSE
                buildings.append(
                    Building(
                        jurisdiction=grid,
                        jpath=grid.path,
                        address=address,
                        address_norm=address_norm(address),
                        kind=kind,
                    )
                )
                plan.append((len(buildings) - 1, size))
                n -= size
        buildings = Building.objects.bulk_create(buildings, batch_size=2000)
        landlords = [person(b.jurisdiction, *HOME_REGIONS[0], SWEEP_START) for b in buildings]
        landlords = Person.objects.bulk_create(landlords, batch_size=2000)
        units: list[HousingUnit] = []
        owner_units: list[HousingUnit] = []
        for (index, size), landlord in zip(plan, landlords, strict=True):
            b = buildings[index]
            owner_units.append(
                HousingUnit(building=b, jpath=b.jpath, label="房东自住", use=UnitUse.OWNER_OCCUPIED)
            )
            for k in range(size):
                units.append(
                    HousingUnit(
                        building=b,
                        jpath=b.jpath,
                        label=f"{k + 1:02d}房" if size > 1 else "出租",
                        use=UnitUse.RENTAL,
                        rental_kind=rng.choices(kinds, weights)[0],
                        landlord=landlord,
                    )
                )
        owner_units = HousingUnit.objects.bulk_create(owner_units, batch_size=2000)
        units = HousingUnit.objects.bulk_create(units, batch_size=2000)
        for landlord, home in zip(landlords, owner_units, strict=True):
            landlord.current_unit = home
        Person.objects.bulk_update(landlords, ["current_unit"], batch_size=2000)
        rng.shuffle(units)
        sub_inspected, sub_gap = units[:RENTALS_INSPECTED], units[RENTALS_INSPECTED:]
        inspected += sub_inspected
        never_reached += sub_gap

        # 7,943 tenancies: every inspected unit has one tenant, 3,273 of them a second.
        counts = [1] * len(sub_inspected)
        for i in rng.sample(range(len(sub_inspected)), TENANTS - len(sub_inspected)):
            counts[i] += 1
        grid_of = {b.id: b.jurisdiction for b in buildings}
        tenants: list[Person] = []
        homes: list[HousingUnit] = []
        for unit, n in zip(sub_inspected, counts, strict=True):
            for _i in range(n):
                region, place = rng.choice(HOME_REGIONS)
                day = SWEEP_START + dt.timedelta(days=rng.randrange(0, 14))
                tenant = person(grid_of[unit.building_id], region, place, day)
                tenant.current_unit = unit
                tenants.append(tenant)
                homes.append(unit)
        tenants = Person.objects.bulk_create(tenants, batch_size=2000)
        residencies = [
            Residency(
                person=p,
                unit=u,
                jpath=u.jpath,
                role=ResidencyRole.TENANT,
                move_in=p.registered_on - dt.timedelta(days=rng.randrange(20, 700)),
                recorded_on=p.registered_on,
            )
            for p, u in zip(tenants, homes, strict=True)
        ] + [
            Residency(
                person=p, unit=u, jpath=u.jpath, role=ResidencyRole.OWNER, recorded_on=SWEEP_START
            )
            for p, u in zip(landlords, owner_units, strict=True)
        ]
        Residency.objects.bulk_create(residencies, batch_size=5000)
        for p, u in zip(tenants, homes, strict=True):
            tenants_by_unit.setdefault(u.id, []).append(p)

        # 161 who came back from Hubei within the 14 days before 16 February, found in the sweep.
        returned = rng.sample(tenants, FROM_RISK_AREAS)
        others = rng.sample([t for t in tenants if t not in set(returned)], OTHER_ARRIVALS)
        arrivals = []
        for p in returned:
            code, place = rng.choice(HUBEI)
            day = SWEEP_START + dt.timedelta(days=rng.randrange(0, 14))
            arrivals.append(
                Arrival(
                    person=p,
                    jpath=p.jpath,
                    arrived_on=day,
                    from_place=place,
                    from_code=code,
                    transport=rng.choice([Transport.TRAIN, Transport.BUS, Transport.CAR]),
                    trip_number=rng.choice(["G1003", "D2205", "K9067", "粤J·", ""]),
                    touches_risk_area=True,
                    recorded_on=max(day, p.registered_on),
                )
            )
        for p in others:
            day = START + dt.timedelta(days=rng.randrange(0, 20))
            arrivals.append(
                Arrival(
                    person=p,
                    jpath=p.jpath,
                    arrived_on=day,
                    from_place=p.hukou_place,
                    from_code=p.doc_number[:6],
                    transport=Transport.BUS,
                    recorded_on=p.registered_on,
                )
            )
        Arrival.objects.bulk_create(arrivals, batch_size=2000)
        CategoryAssignment.objects.bulk_create(
            [
                CategoryAssignment(
                    person=p,
                    category=source_area,
                    jpath=p.jpath,
                    active_from=p.registered_on,
                    reason="排查发现：来自湖北",
                )
                for p in returned
            ]
        )
        ctx.data.setdefault("from_risk_areas", []).extend(returned)
        summary["buildings"] += len(buildings)
        summary["units"] += len(units) + len(owner_units)
        summary["persons"] += len(landlords) + len(tenants)
        summary["tenancies"] += len(tenants)
        summary["arrivals"] += len(arrivals)

    ctx.data["registry"] = {
        "inspected_units": inspected,
        "never_reached_units": never_reached,
        "tenants_by_unit": tenants_by_unit,
    }
    ctx.count("persons", summary["persons"])
    ctx.count("rental_units", len(inspected) + len(never_reached))
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="registry.person",
        entity_id="*",
        entity_label=f"{summary['persons']} persons",
        jpath=ctx.data["city"].path,
        after=summary,
    )
