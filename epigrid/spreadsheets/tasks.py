"""Background work of imports: thin, the service does the work."""

from django_tasks import task


@task()
def run_import(job_id: int) -> dict[str, int]:
    """Commits (or resumes) an import job; enqueued by `import_commit` on transaction commit."""
    from .services import import_run  # services enqueue this task: import it late

    return import_run(job_id).summary()
