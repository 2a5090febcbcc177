"""Setup for bench/checkpoints_bench.py, inside one Django process: a jurisdiction chain
(city > subdistrict > village > big grid > small grid), a headquarters user with an API
token, and --checkpoints checkpoints in the small grid, opened 30 days ago. Prints one JSON
object on its last line: the token and the checkpoints' ids.

Written through the product's services where they exist (jurisdictions, users, roles,
tokens); the checkpoints straight to their table (the register service is not what is
measured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoints", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()

    from django.db import transaction
    from django.utils import timezone

    from epigrid.accounts.access import SYSTEM
    from epigrid.accounts.services import role_grant, token_create, user_create
    from epigrid.checkpoints.models import Checkpoint, CheckpointKind
    from epigrid.geo.models import Kind
    from epigrid.geo.services import jurisdiction_create

    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    with transaction.atomic():
        chain = [
            (Kind.CITY, "恩平市", None, "440785"),
            (Kind.SUBDISTRICT, "恩城街道", "001", None),
            (Kind.VILLAGE, "锦岗村", "01", None),
            (Kind.BIG_GRID, "锦岗村大网格", "1", None),
            (Kind.SMALL_GRID, "锦岗村第1网格", "01", None),
        ]
        node = None
        nodes = []
        for kind, name, segment, code in chain:
            node = jurisdiction_create(
                actor=SYSTEM,
                parent=node,
                kind=kind,
                name=name,
                segment=segment,
                code=code,
                active_from=start,
            )
            nodes.append(node)
        city, grid = nodes[0], nodes[-1]
        user = user_create(
            actor=SYSTEM,
            username="bench_checkpoints",
            password=secrets.token_urlsafe(16),
            jpath=city.path,
            validate=False,
        )
        role_grant(actor=SYSTEM, user=user, role="hq", jurisdiction=city)
        token = token_create(actor=SYSTEM, user=user)
        points = [
            Checkpoint.objects.create(
                name=f"检测点{i:03d}",
                kind=CheckpointKind.VILLAGE_ENTRANCE,
                jurisdiction=grid,
                jpath=grid.path,
                active_from=start,
                public_code=f"B{i:07d}",
            )
            for i in range(args.checkpoints)
        ]
    print(json.dumps({"token": token, "checkpoints": [p.pk for p in points]}))


if __name__ == "__main__":
    main()
