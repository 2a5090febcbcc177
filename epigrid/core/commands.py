"""Helpers for the project's management commands."""

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated() -> None:
    """A clear message instead of a traceback when the database is not set up yet."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        raise CommandError(f"cannot open the database: {exc}") from exc
    if pending:
        raise CommandError(
            "the database is not set up or not up to date: run `epigrid migrate` "
            "(and `epigrid createcachetable`) first"
        )
