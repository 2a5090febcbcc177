import pytest
from django.core.management import get_commands

from epigrid.schedules import JOBS


def test_every_scheduled_job_is_a_known_command():
    commands = get_commands()
    assert JOBS
    for job in JOBS:
        assert job.command[0] in commands, job
        assert len(job.cron.split()) == 5


@pytest.mark.django_db
def test_scheduled_jobs_run_twice_without_harm():
    from django.core.management import call_command

    for job in JOBS:
        call_command(*job.command)
        call_command(*job.command)
