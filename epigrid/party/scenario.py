"""Each community's "big party committee" with the units stationed in it."""

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.scenarios import encheng
from epigrid.scenarios.builder import START, ScenarioContext, part

from .models import MemberUnit, PartyCommittee, UnitKind

UNIT_POOL = [
    (UnitKind.AGENCY, "恩城街道办事处驻社区工作站"),
    (UnitKind.AGENCY, "恩城派出所警务室"),
    (UnitKind.MEDICAL, "社区卫生服务站"),
    (UnitKind.MEDICAL, "恩平市人民医院党支部"),
    (UnitKind.STATE_FIRM, "供电局恩城供电所"),
    (UnitKind.STATE_FIRM, "中国移动恩平分公司"),
    (UnitKind.PROPERTY_MANAGER, "小区物业服务中心"),
    (UnitKind.AGENCY, "市税务局第一分局"),
]


@part(order=30)
def build_party(ctx: ScenarioContext) -> None:
    rng = ctx.rng
    committees = [
        PartyCommittee(
            name=f"{unit.name}大党委",
            jurisdiction=unit,
            jpath=unit.path,
            secretary=encheng.person_name(rng),
            active_from=START,
        )
        for unit in ctx.data["units"]
        if unit.kind == "community"
    ]
    committees = PartyCommittee.objects.bulk_create(committees)
    units = []
    for c in committees:
        for kind, name in rng.sample(UNIT_POOL, rng.randint(3, 6)):
            units.append(
                MemberUnit(
                    committee=c,
                    name=name,
                    kind=kind,
                    jpath=c.jpath,
                    active_from=START,
                    contact_name=encheng.person_name(rng),
                    contact_phone=encheng.mobile(rng),
                )
            )
    MemberUnit.objects.bulk_create(units)
    ctx.count("party_committees", len(committees))
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="party.partycommittee",
        entity_id="*",
        entity_label=f"{len(committees)} party committees",
        jpath=ctx.data["city"].path,
        after={"committees": len(committees), "units": len(units)},
    )
