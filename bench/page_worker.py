"""Times the benchmarked pages inside one Django process; bench/run.py starts it.

The environment selects the database (EPIGRID_DATABASE_URL) and the settings
(DJANGO_SETTINGS_MODULE=epigrid.settings, DEBUG off). The worker logs in as `hq` with
django.test.Client.force_login, warms up, then requests the pages round-robin so that
every page and the floor see the same machine conditions. It prints one JSON object.

Floors measured here, per page:
- healthz: GET /healthz, a trivial view behind the same middleware stack (no SQL);
- connect: opening a database connection and running SELECT 1, which every request pays
  when settings.py uses CONN_MAX_AGE=0 (the worker closes old connections around each
  request as Django's WSGI handler does, honouring CONN_MAX_AGE; the test client alone
  would keep one open);
- sql_all: every SQL statement the page ran (captured with CaptureQueriesContext), replayed
  on a raw DB-API cursor of an open connection, rows fetched;
- sql_counts: only the dashboard's grouped COUNT statements, replayed the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

PAGES: dict[str, tuple[str, str]] = {
    # name: (path, text the real page contains; a login redirect or error page lacks it)
    "dashboard_subdistrict": ("/?j=440785.001&as_of=2020-02-16", 'data-testid="drilldown"'),
    "dashboard_city": ("/?j=440785", 'data-testid="drilldown"'),
    "grid_list": ("/grids/?within=440785.001&kind=small_grid", 'data-testid="grid-list"'),
}
HEALTHZ = "/healthz"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()

    import django as dj
    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from epigrid.accounts.models import User
    from epigrid.geo.models import Jurisdiction
    from epigrid.workforce.models import StaffMember

    if settings.DEBUG:
        sys.exit("page_worker: DEBUG is on; refusing to measure")

    client = Client()
    client.force_login(User.objects.get(username="hq"))

    def fetch(path: str) -> Any:
        # The test client disconnects close_old_connections from request_started and
        # request_finished; call it as a WSGI server's request cycle would, so that
        # CONN_MAX_AGE is honoured (0 would mean a new connection for every request).
        close_old_connections()
        try:
            return client.get(path)
        finally:
            close_old_connections()

    def get(path: str, marker: str | None = None) -> Any:
        response = fetch(path)
        if response.status_code != 200:
            sys.exit(f"page_worker: GET {path} answered {response.status_code}")
        if marker is not None and marker not in response.content.decode():
            sys.exit(f"page_worker: GET {path} lacks {marker!r}")
        return response

    for _ in range(args.warmup):
        for path, marker in PAGES.values():
            get(path, marker)
        get(HEALTHZ)

    # Query counts, twice per page (they must agree), and the SQL to replay.
    queries: dict[str, list[int]] = {}
    statements: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    for name, (path, marker) in PAGES.items():
        queries[name] = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                response = get(path, marker)
            queries[name].append(len(ctx.captured_queries))
        statements[name] = [q["sql"] for q in ctx.captured_queries]
        sizes[name] = len(response.content)
    with CaptureQueriesContext(connection) as ctx:
        get(HEALTHZ)
    queries["healthz"] = [len(ctx.captured_queries)]

    # Response times, round-robin over the pages and the floor page.
    names = [*PAGES, "healthz"]
    paths = {**{n: p for n, (p, _m) in PAGES.items()}, "healthz": HEALTHZ}
    times: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(args.iterations):
        for name in names:
            started = time.perf_counter()
            response = fetch(paths[name])
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"page_worker: GET {paths[name]} answered {response.status_code}")
            times[name].append(_ms(elapsed))

    # Floor: a new connection (what CONN_MAX_AGE=0 would cost each request).
    connect: list[float] = []
    for _ in range(args.warmup + args.iterations):
        connection.close()
        started = time.perf_counter()
        connection.ensure_connection()
        cur = connection.connection.cursor()
        cur.execute("SELECT 1")
        cur.fetchall()
        cur.close()
        connect.append(_ms(time.perf_counter() - started))
    connect = connect[args.warmup :]

    # Floor: the page's own SQL on a raw cursor of an open connection.
    connection.ensure_connection()
    raw = connection.connection

    def replay(sqls: list[str]) -> float:
        started = time.perf_counter()
        cur = raw.cursor()
        for sql in sqls:
            cur.execute(sql)
            cur.fetchall()
        cur.close()
        return _ms(time.perf_counter() - started)

    sql_all: dict[str, list[float]] = {}
    sql_counts: dict[str, list[float]] = {}
    for name, sqls in statements.items():
        counts = [s for s in sqls if "COUNT(" in s.upper()]
        for _ in range(args.warmup):
            replay(sqls)
        sql_all[name] = [replay(sqls) for _ in range(args.iterations)]
        if counts:
            sql_counts[name] = [replay(counts) for _ in range(args.iterations)]

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            server = f"PostgreSQL {cur.fetchone()[0]}"
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "server": server,
                "django": dj.get_version(),
                "debug": settings.DEBUG,
                "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
                "rows": {
                    "jurisdictions": Jurisdiction.objects.count(),
                    "staff": StaffMember.objects.count(),
                },
                "pages": {n: paths[n] for n in names},
                "response_bytes": sizes,
                "queries": queries,
                "statements": statements,
                "times_ms": times,
                "connect_ms": connect,
                "sql_all_ms": sql_all,
                "sql_counts_ms": sql_counts,
            }
        )
    )


if __name__ == "__main__":
    main()
