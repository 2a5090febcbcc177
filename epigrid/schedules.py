"""The single list of periodic jobs: (name, cron expression, management command and args).

Each job is an idempotent management command, safe to run twice or late; a deployment's
scheduler (cron, systemd timers) runs exactly what is listed here. The foundation needs
none yet; later subsystems (follow-up deadlines, daily reports) add theirs.
"""

from typing import NamedTuple


class Job(NamedTuple):
    name: str
    cron: str
    command: tuple[str, ...]


JOBS: list[Job] = [
    # Finished background-task results are not needed for long.
    Job("prune-task-results", "17 3 * * *", ("prune_db_task_results", "--min-age-days", "7")),
    # Two follow-ups missed in a row raise an alert within minutes of the second deadline.
    Job("quarantine-scan", "*/5 * * * *", ("quarantine_scan",)),
]
