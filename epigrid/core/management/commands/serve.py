"""`epigrid serve`: the web server (gunicorn) and the background-task worker, together.

Both run as child processes; when either stops, or on Ctrl-C / SIGTERM, both are stopped.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server and the background worker (settings from EPIGRID_* variables)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("EPIGRID_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("EPIGRID_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("EPIGRID_WEB_WORKERS", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args, **options) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "epigrid.settings"}
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "epigrid.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        children = [subprocess.Popen(web, env=env)]  # noqa: S603 - fixed argv
        if not options["no_worker"]:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "epigrid", "db_worker", "--interval", "1"], env=env
                )
            )
        self.stdout.write(f"epigrid serving on http://{options['host']}:{options['port']}/")

        def stop(*_args: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [c.returncode for c in children]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            sys.exit(1)
