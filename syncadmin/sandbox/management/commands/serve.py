"""`python -m syncadmin.sandbox serve [addr:port]`: migrate, load the baseline into an empty
database, then become a gunicorn server with ONE worker process and many threads, so that
in-process state (knob cache, concurrency counters, outbound queues) is shared and the
concurrency limits are observable."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ... import lifecycle

DEFAULT_ADDR = "127.0.0.1:8100"


class Command(BaseCommand):
    help = "Serve the Zoho sandbox with gunicorn (1 process, 32 threads)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDR)
        parser.add_argument("--threads", type=int, default=32)

    def handle(self, *args, addrport: str, threads: int, **options) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        if lifecycle.ensure_baseline():
            self.stdout.write("sandbox: baseline loaded")
        self.stdout.write(f"sandbox: serving on http://{addrport} ({settings.SANDBOX_PUBLIC_URL})")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "syncadmin.sandbox.wsgi",
            "--workers",
            "1",
            "--threads",
            str(threads),
            "--bind",
            addrport,
            "--chdir",
            str(settings.REPO_DIR),
            "--timeout",
            "120",  # the latency knob may hold a call for a while
            "--graceful-timeout",
            "3",
            "--log-level",
            "warning",
        ]
        os.environ["DJANGO_SETTINGS_MODULE"] = "syncadmin.sandbox.settings"
        os.execvp(argv[0], argv)
