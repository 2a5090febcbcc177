"""Grid workers, teams and grid responsibilities of the reference scenario.

Per subdistrict, 1,092 grid workers as the seed counts them:
- each small grid (228): a cadre as grid head, a family doctor, a police officer (its
  three-person team) and a party-member volunteer: 912;
- each big grid (28): the responsible leader, the village secretary (first responsible
  person), two stationed cadres and a social worker: 140;
- 20 NPC deputies and 20 CPPCC members spread over the big grids: 40.
"""

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.scenarios import encheng
from epigrid.scenarios.builder import START, ScenarioContext, part

from .models import (
    GridResponsibility,
    ResponsibilityKind,
    StaffCategory,
    StaffMember,
    Team,
    TeamKind,
    TeamMembership,
)

C = StaffCategory
DEPUTIES = 20
PATROLS = [
    (TeamKind.MOBILE_PATROL, "机动巡查组"),
    (TeamKind.ENTERPRISE_PATROL, "企业巡查组"),
    (TeamKind.CONSTRUCTION_PATROL, "在建工地巡查组"),
    (TeamKind.PUBLICITY_SCREENING, "村(社区)宣传筛查组"),
]


def _group(nodes: list, levels: int) -> dict[str, list]:
    """Nodes by the path of their ancestor `levels` steps up."""
    groups: dict[str, list] = {}
    for node in nodes:
        parts = node.path.rstrip(".").split(".")
        groups.setdefault(".".join(parts[:-levels]) + ".", []).append(node)
    return groups


@part(order=20)
def build_workforce(ctx: ScenarioContext) -> None:
    rng = ctx.rng

    def staff(node, category, title="", party=False) -> StaffMember:
        day = START.replace(day=START.day + rng.randrange(0, 5))
        return StaffMember(
            name=encheng.person_name(rng),
            category=category,
            title=title,
            phone=encheng.mobile(rng),
            is_party_member=party or rng.random() < 0.4,
            jurisdiction=node,
            jpath=node.path,
            active_from=day,
        )

    people: list[StaffMember] = []
    for grid in ctx.data["small_grids"]:
        people += [
            staff(grid, C.CADRE, "网格长", party=True),
            staff(grid, C.FAMILY_DOCTOR, "家庭签约医生"),
            staff(grid, C.POLICE, "派出所干警"),
            staff(grid, C.PARTY_VOLUNTEER, "党员义工", party=True),
        ]
    for grid in ctx.data["big_grids"]:
        people += [
            staff(grid, C.CADRE, "街道领导班子成员", party=True),
            staff(grid, C.CADRE, "村(社区)书记", party=True),
            staff(grid, C.CADRE, "驻点干部", party=True),
            staff(grid, C.CADRE, "驻点干部", party=True),
            staff(grid, C.SOCIAL_WORKER, "专业社工"),
        ]
    # Group once: scanning every grid for every subdistrict grows with the square of --scale.
    big_by_sub = _group(ctx.data["big_grids"], levels=2)
    small_by_unit = _group(ctx.data["small_grids"], levels=2)
    for sub in ctx.data["subdistricts"]:
        grids = big_by_sub[sub.path]
        for i in range(DEPUTIES):
            people.append(staff(grids[i % len(grids)], C.NPC_DEPUTY, "人大代表"))
            people.append(staff(grids[(i + 7) % len(grids)], C.CPPCC_MEMBER, "政协委员"))
    people = StaffMember.objects.bulk_create(people, batch_size=2000)

    by_node: dict[int, list[StaffMember]] = {}
    for p in people:
        by_node.setdefault(p.jurisdiction_id, []).append(p)

    teams: list[Team] = []
    members: dict[int, list[StaffMember]] = {}  # index in `teams` -> members
    responsibilities: list[GridResponsibility] = []

    def team(kind, name, node, leader, crew) -> None:
        teams.append(
            Team(
                name=name,
                kind=kind,
                jurisdiction=node,
                jpath=node.path,
                leader=leader,
                active_from=START,
            )
        )
        members[len(teams) - 1] = crew

    for grid in ctx.data["small_grids"]:
        head, doctor, police, _volunteer = by_node[grid.id]
        team(
            TeamKind.THREE_PERSON_TEAM,
            f"{grid.name}三人工作小组",
            grid,
            head,
            [head, doctor, police],
        )
    for grid in ctx.data["big_grids"]:
        leader, secretary, cadre1, cadre2, social = by_node[grid.id][:5]
        team(
            TeamKind.STATIONED_WORK_GROUP,
            f"{grid.parent.name}驻点工作组",
            grid,
            leader,
            [leader, secretary, cadre1, cadre2, social],
        )
        for kind, person in (
            (ResponsibilityKind.RESPONSIBLE_LEADER, leader),
            (ResponsibilityKind.FIRST_RESPONSIBLE, secretary),
        ):
            responsibilities.append(
                GridResponsibility(
                    jurisdiction=grid, jpath=grid.path, kind=kind, staff=person, active_from=START
                )
            )
    units_by_sub = _group(ctx.data["units"], levels=1)
    for sub in ctx.data["subdistricts"]:
        big = big_by_sub[sub.path]
        leaders = [by_node[g.id][0] for g in big]
        cadres = [p for g in big for p in by_node[g.id][2:4]]
        for i in range(encheng.TASK_FORCES):
            crew = [leaders[i % len(leaders)]] + [
                cadres[(i * 3 + k) % len(cadres)] for k in range(3)
            ]
            team(TeamKind.TASK_FORCE, f"企业复工复产工作专班{i + 1}", sub, crew[0], crew)
        for j, (patrol, name) in enumerate(PATROLS):
            crew = [cadres[(j * 11 + k) % len(cadres)] for k in range(6)]
            team(patrol, name, sub, crew[0], crew)
        for unit in units_by_sub[sub.path]:
            if unit.kind == "community":
                vols = [by_node[s.id][3] for s in small_by_unit[unit.path]]
                team(TeamKind.VOLUNTEER_SQUAD, f"{unit.name}党员义工先锋队", unit, vols[0], vols)
    teams = Team.objects.bulk_create(teams, batch_size=2000)
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(team=t, staff=s, active_from=START)
            for i, t in enumerate(teams)
            for s in members[i]
        ],
        batch_size=5000,
    )
    GridResponsibility.objects.bulk_create(responsibilities)
    ctx.data["staff_by_node"] = by_node
    ctx.count("grid_workers", len(people))
    ctx.count("teams", len(teams))
    city = ctx.data["city"]
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="workforce.staffmember",
        entity_id="*",
        entity_label=f"{len(people)} grid workers, {len(teams)} teams",
        jpath=city.path,
        after={"staff": len(people), "teams": len(teams)},
    )
