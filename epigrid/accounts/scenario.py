"""Demo logins: at least one per role, and grid workers of two different small grids."""

import os

from django.contrib.auth.hashers import make_password

from epigrid.scenarios.builder import ScenarioContext, part

from .access import SYSTEM
from .models import User
from .roles import Role
from .services import role_grant, user_create

DEFAULT_DEMO_PASSWORD = "epigrid-demo-2020"  # noqa: S105 - a public demo password


@part(order=90)
def build_accounts(ctx: ScenarioContext) -> None:
    password = os.environ.get("EPIGRID_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    if not os.environ.get("EPIGRID_DEMO_PASSWORD"):
        ctx.data["demo_password_shown"] = password
    city = ctx.data["city"]
    encheng_sub = ctx.data["subdistricts"][0]
    first_village = next(u for u in ctx.data["units"] if u.kind == "village")
    small = ctx.data["small_grids"]
    # Two small grids in different villages, so neither lies inside the other's village either.
    grid_a = small[0]
    grid_b = next(g for g in small if g.parent_id != grid_a.parent_id)
    plan = [
        ("hq", Role.HQ, city, "指挥部值班员", None),
        ("hq_encheng", Role.HQ, encheng_sub, "恩城街道指挥部", None),
        ("secretary", Role.VILLAGE_SECRETARY, first_village, "村书记", None),
        ("worker_a", Role.GRID_WORKER, grid_a, "", grid_a),
        ("worker_b", Role.GRID_WORKER, grid_b, "", grid_b),
        ("analyst", Role.ANALYST, city, "数据分析员", None),
    ]
    staff_by_node = ctx.data.get("staff_by_node", {})
    # Hash the shared demo password once (Argon2 is deliberately slow), then give each demo
    # account that hash.
    hashed = make_password(password)
    for username, role, node, full_name, staff_grid in plan:
        member = (
            staff_by_node[staff_grid.id][0] if staff_grid is not None and staff_by_node else None
        )
        user = user_create(
            actor=SYSTEM,
            username=username,
            password=None,
            full_name=member.name if member else full_name,
            jpath=node.path,
            validate=False,
        )
        User.objects.filter(pk=user.pk).update(password=hashed)
        if member is not None:
            type(member).objects.filter(pk=member.pk).update(user=user)
        role_grant(actor=SYSTEM, user=user, role=role, jurisdiction=node)
        ctx.accounts.append({"username": username, "role": str(role), "jurisdiction": node.code})
    ctx.count("accounts", User.objects.count())
