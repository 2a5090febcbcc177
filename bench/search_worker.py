"""Times person search and sweep coverage inside one Django process; bench/run.py starts it on
the scale-10 scenario topped up to a million persons (and, with --counts-only, on the scale-1
scenario, for the query counts alone). It prints one JSON object.

Actors: the grid worker `worker_a` (their own small grid only) and `hq` (the whole city),
through epigrid.accounts.access.actor_for, as the product's views do.

Cases, per actor:
- search by a name prefix, a phone prefix and an ID-number prefix, taken from the most
  recently registered person of the worker's grid (name: first 2 characters, phone: first 7
  digits, ID: first 12 characters, i.e. region, birth year and month), three ways:
  selector  `keyset_page(selectors.person_list(actor=..., q=...), cursor=None, limit=50)`,
  api       GET /api/v1/persons?q=... with a bearer token (accounts.services.token_create,
            what `epigrid token create` runs) through django.test.Client,
  page      GET /register/persons/?q=... after force_login;
- sweep coverage of the campaign covering the worker's grid: the grid (as the worker) and
  the subdistrict (as hq), three ways:
  selector  coverage_drilldown + the first 20 gap units (what the page computes),
  api       GET /api/v1/sweeps/campaigns/<id>/coverage?within=<node>,
  page      GET /sweeps/<id>/?j=<node>.

Requests are made as a WSGI server would (close_old_connections around each, so
CONN_MAX_AGE is honoured). Warm-up first, then timed round-robin over every case and
/healthz; a case stops being sampled once it has --min-samples and --budget seconds of
samples (floors and probes: --floor-min-samples and --floor-budget), at most --iterations,
so a slow case cannot stall the run; the number of samples is reported.

Floors, same process: healthz (GET /healthz, same middleware, no SQL); main SQL (the search's
person query, or the coverage's campaign-unit queries, replayed on a raw DB-API cursor of an
open connection, rows fetched); all SQL (every statement the case ran, replayed the same way).

Probes (not floors; they measure a change the product could make, see bench/README.md):
- alt: the selector's search as `id IN (name range UNION ALL document range UNION ALL phone
  range)` inside the same scope (ranges on SQLite, as geo.models.within_q does for paths;
  prefix LIKE on PostgreSQL), timed the same way and checked to return the same persons;
- grid_filter: registry.views.common.grid_filter_choices(actor), the <select> of every
  node in scope that the persons page renders, timed alone with its size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", default="440785.001.01.1.01", help="the worker's small grid")
    parser.add_argument("--worker", default="worker_a")
    parser.add_argument("--hq", default="hq")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of samples per case")
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--floor-budget", type=float, default=1.0, help="the same, per floor")
    parser.add_argument("--floor-min-samples", type=int, default=3)
    parser.add_argument("--counts-only", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()

    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from epigrid.accounts.access import SYSTEM, actor_for
    from epigrid.accounts.models import User
    from epigrid.accounts.services import token_create
    from epigrid.core.pagination import keyset_page
    from epigrid.geo.models import Jurisdiction
    from epigrid.registry import selectors as registry
    from epigrid.registry.identity import normalize
    from epigrid.registry.models import Person
    from epigrid.registry.normalize import name_norm
    from epigrid.registry.views.common import grid_filter_choices

    coverage_skipped = None
    try:  # the sweeps app is being finished; search is measured without it
        from epigrid.sweeps import selectors as sweeps
        from epigrid.sweeps.models import Campaign
    except ImportError as exc:
        coverage_skipped = f"epigrid.sweeps is not importable: {exc}"

    if settings.DEBUG:
        sys.exit("search_worker: DEBUG is on; refusing to measure")

    grid = Jurisdiction.objects.get(code=args.grid)
    subdistrict = Jurisdiction.objects.get(path=".".join(grid.path.split(".")[:2]) + ".")
    users = {
        "worker": User.objects.get(username=args.worker),
        "hq": User.objects.get(username=args.hq),
    }
    actors = {k: actor_for(u) for k, u in users.items()}
    page_clients: dict[str, Any] = {}
    api_clients: dict[str, Any] = {}
    for key, user in users.items():
        page_clients[key] = Client()
        page_clients[key].force_login(user)
        token = token_create(actor=SYSTEM, user=user, name="bench")
        api_clients[key] = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    campaign = None
    if coverage_skipped is None:
        try:
            campaign = Campaign.objects.filter(jpath=subdistrict.path).order_by("id").first()
        except Exception as exc:  # e.g. its tables are not migrated yet
            coverage_skipped = f"no sweep campaigns readable: {type(exc).__name__}: {exc}"
        if campaign is None and coverage_skipped is None:
            coverage_skipped = f"the scenario has no sweep campaign over {subdistrict.code}"
    person = (
        Person.objects.filter(jpath=grid.path, merged_into__isnull=True, doc_type="resident_id")
        .exclude(phone="")
        .exclude(doc_number="")
        .order_by("-id")
        .first()
    )
    if person is None:
        sys.exit(f"search_worker: no person with an ID number and a phone in {grid.code}")
    searches = {
        "name": person.name[:2],
        "phone": person.phone[:7],
        "id": person.doc_number[:12],
    }

    def fetch(client: Any, path: str) -> Any:
        close_old_connections()
        try:
            return client.get(path)
        finally:
            close_old_connections()

    def request(client: Any, path: str, marker: str | None) -> Callable[[], tuple[int, int]]:
        """GET path; (items in a JSON answer's `items`, else 0; response bytes)."""

        def call() -> tuple[int, int]:
            response = fetch(client, path)
            if response.status_code != 200:
                sys.exit(f"search_worker: GET {path} answered {response.status_code}")
            body = response.content.decode()
            if marker is not None and marker not in body:
                sys.exit(f"search_worker: GET {path} lacks {marker!r}")
            items = len(json.loads(body).get("items", [])) if path.startswith("/api/") else 0
            return items, len(response.content)

        return call

    def prefix_ids(field: str, value: str) -> Any:
        if connection.vendor == "sqlite":
            upper = value[:-1] + chr(ord(value[-1]) + 1)
            condition = {f"{field}__gte": value, f"{field}__lt": upper}
        else:
            condition = {f"{field}__startswith": value}
        return Person.objects.filter(**condition).values("id")

    def alt_queryset(actor: Any, q: str) -> Any:
        """selectors.person_list(actor, q) written as an id set from three index ranges."""
        q = q.strip()[:32]
        parts = [prefix_ids("name_norm", name_norm(q))]
        doc = normalize(q)
        if doc.isalnum():
            parts.append(prefix_ids("doc_number", doc))
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 3:
            parts.append(prefix_ids("phone", digits))
        ids = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return registry.person_list(actor=actor).filter(pk__in=ids)

    cases: dict[str, dict[str, Any]] = {}

    def add(name: str, layer: str, path: str, call: Any, **info: Any) -> None:
        cases[name] = {"layer": layer, "path": path, "call": call, **info}

    for actor_key, actor in actors.items():
        for kind, q in searches.items():

            def selector(actor: Any = actor, q: str = q) -> tuple[int, int]:
                page = keyset_page(registry.person_list(actor=actor, q=q), cursor=None, limit=50)
                return len(page.items), 0

            info = {"group": "search", "actor": actor_key, "what": kind, "q": q}
            base = f"search/{actor_key}/{kind}"
            add(f"{base}/selector", "selector", "", selector, **info)
            cases[f"{base}/selector"]["alt"] = lambda actor=actor, q=q: [
                p.pk for p in keyset_page(alt_queryset(actor, q), cursor=None, limit=50).items
            ]
            api = f"/api/v1/persons?q={quote(q)}"
            add(f"{base}/api", "api", api, request(api_clients[actor_key], api, None), **info)
            page = f"/register/persons/?q={quote(q)}"
            add(
                f"{base}/page",
                "page",
                page,
                request(page_clients[actor_key], page, 'data-testid="person-list"'),
                **info,
            )

    if campaign is not None:
        for actor_key, node, what in (("worker", grid, "grid"), ("hq", subdistrict, "subdistrict")):

            def coverage(actor: Any = actors[actor_key], node: Any = node) -> tuple[int, int]:
                drill = sweeps.coverage_drilldown(actor=actor, campaign=campaign, node=node)
                gaps = sweeps.gap_units(actor=actor, campaign=campaign, path=node.path)
                first = list(gaps.order_by("id")[:20])
                return drill.total.units, len(first)

            info = {"group": "coverage", "actor": actor_key, "what": what, "node": node.code}
            base = f"coverage/{actor_key}/{what}"
            add(f"{base}/selector", "selector", "", coverage, **info)
            api = f"/api/v1/sweeps/campaigns/{campaign.pk}/coverage?within={node.code}"
            add(f"{base}/api", "api", api, request(api_clients[actor_key], api, None), **info)
            page = f"/sweeps/{campaign.pk}/?j={node.code}"
            add(
                f"{base}/page",
                "page",
                page,
                request(page_clients[actor_key], page, 'data-testid="coverage-title"'),
                **info,
            )

    # Query counts (twice; they must agree), what each case found, and the SQL to replay.
    for _ in range(args.warmup):
        for case in cases.values():
            case["call"]()
    for case in cases.values():
        # Called once more right before counting: the API's bearer-token check records the
        # token's use at most once a minute (epigrid/api/auth.py), an UPDATE that would be
        # counted in whichever call comes more than a minute after the token's last use; on
        # a slow database the warm-up of all the cases above can take longer than that.
        case["call"]()
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                found, size = case["call"]()
            counts.append(len(ctx.captured_queries))
        case["queries"] = counts
        case["found"] = found
        case["bytes"] = size
        case["statements"] = [q["sql"] for q in ctx.captured_queries]
        if case["group"] == "search":
            main_sql = [
                s for s in case["statements"] if 'FROM "registry_person"' in s and "LIMIT" in s
            ]
        else:
            main_sql = [s for s in case["statements"] if "sweeps_campaignunit" in s]
        case["main_statements"] = main_sql

    out: dict[str, Any] = {
        "vendor": connection.vendor,
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "grid": grid.code,
        "subdistrict": subdistrict.code,
        "campaign": campaign.pk if campaign else None,
        "coverage_skipped": coverage_skipped,
        "searches": searches,
        "rows": {
            "persons": Person.objects.count(),
            "persons_in_grid": Person.objects.filter(jpath=grid.path).count(),
            "jurisdictions": Jurisdiction.objects.count(),
        },
    }
    if args.counts_only:
        out["cases"] = {n: _public(c) for n, c in cases.items()}
        print(json.dumps(out))
        return

    def sample(call: Callable[[], Any]) -> list[float]:
        """Timed calls until --floor-min-samples and --floor-budget seconds (at most
        --iterations)."""
        samples: list[float] = []
        spent = 0.0
        for _ in range(args.iterations):
            if len(samples) >= args.floor_min_samples and spent >= args.floor_budget:
                break
            started = time.perf_counter()
            call()
            elapsed = time.perf_counter() - started
            spent += elapsed
            samples.append(_ms(elapsed))
        return samples

    # Timed, round-robin over the cases and the floor page.
    health = Client()
    times: dict[str, list[float]] = {n: [] for n in cases}
    spent: dict[str, float] = dict.fromkeys(cases, 0.0)
    healthz: list[float] = []
    for _ in range(args.iterations):
        for name, case in cases.items():
            if len(times[name]) >= args.min_samples and spent[name] >= args.budget:
                continue
            started = time.perf_counter()
            case["call"]()
            elapsed = time.perf_counter() - started
            spent[name] += elapsed
            times[name].append(_ms(elapsed))
        started = time.perf_counter()
        response = fetch(health, "/healthz")
        healthz.append(_ms(time.perf_counter() - started))
        if response.status_code != 200:
            sys.exit("search_worker: /healthz failed")

    # Floors: the statements on a raw cursor of an open connection.
    connection.ensure_connection()
    raw = connection.connection

    def replayer(sqls: list[str]) -> Callable[[], None]:
        def replay() -> None:
            cur = raw.cursor()
            for sql in sqls:
                cur.execute(sql)
                cur.fetchall()
            cur.close()

        return replay

    for name, case in cases.items():
        case["times_ms"] = times[name]
        for key, sqls in (
            ("main_sql_ms", case["main_statements"]),
            ("all_sql_ms", case["statements"]),
        ):
            if key == "all_sql_ms" and sqls == case["main_statements"]:
                case[key] = case["main_sql_ms"]  # the same statements: one measurement
                continue
            if not sqls:
                case[key] = []
                continue
            replayer(sqls)()  # warm
            case[key] = sample(replayer(sqls))
        if "alt" in case:
            expected = [
                p.pk
                for p in keyset_page(
                    registry.person_list(actor=actors[case["actor"]], q=case["q"]),
                    cursor=None,
                    limit=50,
                ).items
            ]
            case["alt_same_rows"] = case["alt"]() == expected
            case["alt_ms"] = sample(case["alt"])

    # The persons page's grid filter, alone.
    filters: dict[str, Any] = {}
    for actor_key, actor in actors.items():
        choices = grid_filter_choices(actor)
        filters[actor_key] = {
            "options": len(choices),
            "ms": sample(lambda actor=actor: grid_filter_choices(actor)),
        }

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            out["server"] = f"PostgreSQL {cur.fetchone()[0]}"
    else:
        import sqlite3

        out["server"] = f"SQLite {sqlite3.sqlite_version}"
    out["healthz_ms"] = healthz
    out["grid_filter"] = filters
    out["cases"] = {n: _public(c) for n, c in cases.items()}
    print(json.dumps(out))


def _public(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in case.items() if k not in ("call", "alt")}


if __name__ == "__main__":
    main()
