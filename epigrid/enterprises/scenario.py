"""Work resumption in the reference scenario, per subdistrict as the seed tells it (Jiangmen
Daily, 18 Feb 2020): nearly 1,000 enterprises in Encheng, 678 applied to reopen from
8 February, 585 approved by 16 February in published batches (the first on 9 February;
green-channel approvals on 10 February of applications returned on the 9th and completed
on site), 15 task forces each led by a subdistrict leader inspecting from 10 February, and
158 employees from epidemic source areas.

The register holds 996 enterprises a subdistrict (the seed's "nearly 1,000"; 996 spreads
evenly enough over 228 small grids). The 93 applications not approved are 30 submitted,
30 in review, 25 returned and 8 rejected. The employees are persons of the register (a few
per applying enterprise); the 158 from source areas are 158 of the register's 161 who came
back from Hubei, flagged from their recorded arrivals. What the seed does not count (the
inspections, rectifications, needs, consultations) is the scenario's own, from the same
fixed generator in every subdistrict, so each is Encheng and the city K times it at
--scale K; names and phone numbers come from the scenario's seeded generator.

The applications are written in bulk in their end state with their history events, as the
other scenario parts write theirs (scenario_rows.py); the uploaded materials are small
generated PDF files under MEDIA_ROOT with their rows.
"""

import os
import random

from django.contrib.auth.hashers import make_password

from epigrid.accounts.access import SYSTEM
from epigrid.accounts.models import User
from epigrid.accounts.roles import Role
from epigrid.accounts.scenario import DEFAULT_DEMO_PASSWORD
from epigrid.accounts.services import role_grant, user_create
from epigrid.audit.services import audit_record
from epigrid.core.bulk import insert_rows
from epigrid.policy.selectors import policy_value
from epigrid.scenarios import encheng
from epigrid.scenarios.builder import AS_OF, START, ScenarioContext, part

from . import scenario_rows as rows
from .models import Enterprise, EnterpriseMember, Industry, Size, Status

ENTERPRISES = 996
APPLIED = 678
APPROVED_BY_DAY = [  # (day of February, approvals): the batches, 585 in all
    (9, 120),
    (10, 110),
    (11, 90),
    (12, 80),
    (13, 60),
    (14, 45),
    (15, 40),
    (16, 40),
]
GREEN_CHANNEL = 40  # of the 10 February approvals: returned on the 9th, completed on site
UNBATCHED = 10  # approved on the evening of the 16th, after its batch went out
OTHERS = [(Status.SUBMITTED, 30), (Status.IN_REVIEW, 30), (Status.RETURNED, 25),
          (Status.REJECTED, 8)]  # fmt: skip
EMPLOYEES_FROM_RISK_AREAS = 158
TASK_FORCES = encheng.TASK_FORCES
DESK_REVIEWERS = 4
TASK_FORCE_MEMBERS = 2
SIZES = [(Size.MICRO, 0.48), (Size.SMALL, 0.40), (Size.MEDIUM, 0.10), (Size.LARGE, 0.02)]
HEADCOUNT = {Size.MICRO: (3, 9), Size.SMALL: (10, 49), Size.MEDIUM: (50, 299),
             Size.LARGE: (300, 800)}  # fmt: skip
INDUSTRIES = [Industry.MANUFACTURING] * 4 + [
    Industry.CONSTRUCTION, Industry.LOGISTICS, Industry.RETAIL, Industry.RETAIL,
    Industry.CATERING, Industry.SERVICES, Industry.AGRICULTURE, Industry.OTHER,
]  # fmt: skip
TRADES = {
    Industry.MANUFACTURING: ["五金厂", "电子厂", "制衣厂", "塑料制品厂", "机械厂", "食品厂"],
    Industry.CONSTRUCTION: ["建筑工程有限公司", "建材有限公司"],
    Industry.LOGISTICS: ["物流有限公司", "运输有限公司"],
    Industry.RETAIL: ["商行", "超市", "贸易有限公司"],
    Industry.CATERING: ["酒家", "饮食店"],
    Industry.SERVICES: ["物业管理有限公司", "信息科技有限公司"],
    Industry.AGRICULTURE: ["农业发展有限公司", "养殖场"],
    Industry.OTHER: ["实业有限公司"],
}
BRANDS = "恒丰永盛兴华泰和宏达金源锦绣富康利发鸿运新景嘉信联合顺德俊辉明珠"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _rng() -> random.Random:
    """The same counts and times for every subdistrict and every --seed."""
    return random.Random("epigrid:enterprises")


def _uscc(people: random.Random, used: set[str]) -> str:
    from stdnum.cn import uscc

    while True:
        body = "91440785MA" + "".join(people.choice(USCC_CHARS) for _ in range(7))
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def _users(ctx: ScenarioContext, s: int, sub, units: list) -> dict:
    """The desk's reviewers and the task forces' leaders and members of one subdistrict, as
    accounts (the demo `desk` and `taskforce` are Encheng's first of each)."""
    hashed = ctx.data["enterprises_password_hash"]
    made: list[int] = []

    def account(username: str, full_name: str, role: str, node) -> User:
        user = user_create(
            actor=SYSTEM,
            username=username,
            password=None,
            full_name=full_name,
            jpath=node.path,
            validate=False,
        )
        role_grant(actor=SYSTEM, user=user, role=role, jurisdiction=node)
        made.append(user.pk)
        return user

    people = ctx.rng
    desk = [
        account("desk" if s == 0 and i == 0 else f"desk{s + 1}_{i + 1}",
                encheng.person_name(people), Role.RESUMPTION_DESK, sub)
        for i in range(DESK_REVIEWERS)
    ]  # fmt: skip
    leaders, members = [], []
    for t in range(TASK_FORCES):
        unit = units[t]
        leaders.append(
            account(f"tf{s + 1}_{t + 1:02d}", encheng.person_name(people), Role.TASK_FORCE, unit)
        )
        members.append(
            [
                account(
                    "taskforce"
                    if s == 0 and t == 0 and j == 0
                    else f"tf{s + 1}_{t + 1:02d}_{j + 1}",
                    encheng.person_name(people),
                    Role.TASK_FORCE,
                    unit,
                )
                for j in range(TASK_FORCE_MEMBERS)
            ]
        )
    User.objects.filter(pk__in=made).update(password=hashed)
    return {"desk": desk, "leaders": leaders, "members": members}


@part(order=95)
def build_enterprises(ctx: ScenarioContext) -> None:
    password = os.environ.get("EPIGRID_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    ctx.data["enterprises_password_hash"] = make_password(password)
    checklist = policy_value("resumption_checklist", on=AS_OF)
    inspection_list = policy_value("inspection_checklist", on=AS_OF)
    units_by_sub: dict[int, list] = {}
    for unit in sorted(ctx.data["units"], key=lambda u: u.path):
        units_by_sub.setdefault(unit.parent_id, []).append(unit)
    returned = ctx.data.get("from_risk_areas", [])
    tenants = [p for ps in ctx.data["registry"]["tenants_by_unit"].values() for p in ps]
    people = ctx.rng
    used: set[str] = set()
    summary: dict[str, int] = {}
    for s, sub in enumerate(ctx.data["subdistricts"]):
        rng = _rng()
        units = units_by_sub[sub.pk]
        grids = sorted(
            (g for g in ctx.data["small_grids"] if g.path.startswith(sub.path)),
            key=lambda g: g.path,
        )
        staff = _users(ctx, s, sub, units)
        enterprises = _register(rng, people, grids, used)
        risky = {p.pk for p in returned}
        pool = sorted(
            (p for p in tenants if p.jpath.startswith(sub.path) and p.pk not in risky),
            key=lambda p: p.pk,
        )
        from_risk = sorted(
            (p for p in returned if p.jpath.startswith(sub.path)), key=lambda p: p.pk
        )[:EMPLOYEES_FROM_RISK_AREAS]
        counts = rows.build_subdistrict(
            rng=rng,
            people=people,
            sub=sub,
            units=units,
            enterprises=enterprises,
            staff=staff,
            checklist=checklist,
            inspection_list=inspection_list,
            pool=pool,
            from_risk=from_risk,
            plan=(APPLIED, APPROVED_BY_DAY, GREEN_CHANNEL, UNBATCHED, OTHERS),
        )
        demo = counts.pop("demo_enterprise")
        if s == 0:
            _demo_accounts(ctx, demo, units[0])
        for key, n in counts.items():
            summary[key] = summary.get(key, 0) + n
    ctx.count("enterprises", summary["enterprises"])
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="enterprises.enterprise",
        entity_id="*",
        entity_label=f"{summary['enterprises']} enterprises",
        jpath=ctx.data["city"].path,
        after=summary,
    )


def _register(rng: random.Random, people: random.Random, grids: list, used: set) -> list:
    """The subdistrict's enterprises, spread over its small grids, registered when the
    grids were set up."""
    registered = rows.at(START, 9 * 60)
    values = []
    for i in range(ENTERPRISES):
        grid = grids[i % len(grids)]
        draw, size = rng.random(), Size.MICRO
        for choice, share in SIZES:
            size = choice
            if draw < share:
                break
            draw -= share
        industry = INDUSTRIES[int(rng.random() * len(INDUSTRIES))]
        lo, hi = HEADCOUNT[size]
        headcount = lo + int(rng.random() * (hi - lo + 1))
        trade = TRADES[industry][int(rng.random() * len(TRADES[industry]))]
        name = f"恩平市{people.choice(BRANDS)}{people.choice(BRANDS)}{trade}"
        values.append(
            (name, _uscc(people, used), f"{grid.name}工业路{i % 97 + 1}号", grid.pk, grid.path,
             industry, size, encheng.person_name(people), encheng.person_name(people),
             encheng.mobile(people), headcount, registered)
        )  # fmt: skip
    ids = insert_rows(
        Enterprise,
        ["name", "uscc", "address", "jurisdiction", "jpath", "industry", "size", "legal_rep",
         "contact_name", "contact_phone", "employees", "created_at"],
        values,
    )  # fmt: skip
    return [
        Enterprise(pk=pk, name=v[0], jurisdiction=grids[i % len(grids)], jpath=v[4], size=v[6])
        for i, (pk, v) in enumerate(zip(ids, values, strict=True))
    ]


def _demo_accounts(ctx: ScenarioContext, enterprise: Enterprise, unit) -> None:
    """The demo logins: `desk`, `taskforce` (made with the staff) and `enterprise`, acting
    for an enterprise whose application was returned, so the demo shows the whole flow."""
    user = user_create(
        actor=SYSTEM,
        username="enterprise",
        password=None,
        full_name=f"{enterprise.name}联系人",
        jpath=enterprise.jpath,
        validate=False,
    )
    User.objects.filter(pk=user.pk).update(password=ctx.data["enterprises_password_hash"])
    role_grant(actor=SYSTEM, user=user, role=Role.ENTERPRISE, jurisdiction=enterprise.jurisdiction)
    EnterpriseMember.objects.create(user=user, enterprise=enterprise)
    sub = ctx.data["subdistricts"][0]
    ctx.accounts += [
        {"username": "enterprise", "role": str(Role.ENTERPRISE),
         "jurisdiction": enterprise.jurisdiction.code},
        {"username": "desk", "role": str(Role.RESUMPTION_DESK), "jurisdiction": sub.code},
        {"username": "taskforce", "role": str(Role.TASK_FORCE), "jurisdiction": unit.code},
    ]  # fmt: skip
