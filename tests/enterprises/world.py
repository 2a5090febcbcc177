"""The work-resumption part of the test world (on top of tests/world.py):

- enterprise A (锦岗五金厂) in grid A, enterprise B (郁文制衣厂) in grid B, enterprise A2
  (锦岗食品厂) in grid A2, next door to A in the same big grid;
- enterprise users ent_a (acts for A) and ent_b (acts for B); their role assignment is their
  enterprise's grid, but they reach only their own enterprise (enterprises.access);
- desk: the work-resumption desk of the subdistrict; inspector: a task-force member over
  village A (锦岗村).

Rows are made directly here, not through the services, so every part's tests can start
from the same world whatever part they test.
"""

from epigrid.accounts.access import SYSTEM
from epigrid.accounts.roles import Role
from epigrid.accounts.services import role_grant, token_create, user_create
from epigrid.enterprises.models import Enterprise, EnterpriseMember, Industry, Size

from ..world import PASSWORD, World

# Valid unified social credit codes (GB 32100 check character), one per enterprise.
USCC = {
    "a": "91440785MA4UJ8XX0G",
    "b": "91440785MA4UJ8XY0H",
    "a2": "91440785MA4UJ8XW0F",
}


def make_enterprise(world: World, *, key: str, grid: str, name: str, uscc: str) -> Enterprise:
    node = world.nodes[grid]
    return Enterprise.objects.create(
        name=name,
        uscc=uscc,
        address=f"{node.name}工业路{len(key)}号",
        jurisdiction=node,
        jpath=node.path,
        industry=Industry.MANUFACTURING,
        size=Size.SMALL,
        legal_rep="陈法人",
        contact_name="李联系",
        contact_phone="13712345678",
        employees=20,
    )


def add_enterprise_world(world: World) -> World:
    world.enterprises = {  # type: ignore[attr-defined]
        "a": make_enterprise(world, key="a", grid="grid_a", name="锦岗五金厂", uscc=USCC["a"]),
        "b": make_enterprise(world, key="b", grid="grid_b", name="郁文制衣厂", uscc=USCC["b"]),
        "a2": make_enterprise(world, key="a2", grid="grid_a2", name="锦岗食品厂", uscc=USCC["a2"]),
    }
    plan = (
        ("ent_a", Role.ENTERPRISE, "grid_a", "a"),
        ("ent_b", Role.ENTERPRISE, "grid_b", "b"),
        ("desk", Role.RESUMPTION_DESK, "sub", None),
        ("inspector", Role.TASK_FORCE, "village_a", None),
    )
    for username, role, key, enterprise in plan:
        node = world.nodes[key]
        user = user_create(
            actor=SYSTEM, username=username, password=PASSWORD, jpath=node.path, validate=False
        )
        role_grant(actor=SYSTEM, user=user, role=role, jurisdiction=node)
        if enterprise is not None:
            EnterpriseMember.objects.create(
                user=user,
                enterprise=world.enterprises[enterprise],  # type: ignore[attr-defined]
            )
        world.users[username] = user
        world.tokens[username] = token_create(actor=SYSTEM, user=user)
    return world
