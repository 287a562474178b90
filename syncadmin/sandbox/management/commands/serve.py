"""`python -m syncadmin.sandbox serve [addr:port]`: migrate, load the baseline into an empty
database, then become a gunicorn server with ONE worker process and many threads, so that
in-process state (knob cache, concurrency counters, outbound queues) is shared and the
concurrency limits are observable."""

import ipaddress
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ... import lifecycle

DEFAULT_ADDR = "127.0.0.1:8100"
# The sandbox has no authentication and hands out tokens to anyone who asks: it listens
# on loopback unless this is set (a container whose published port is loopback-only).
ALLOW_PUBLIC_BIND = "SANDBOX_ALLOW_PUBLIC_BIND"


def loopback(addrport: str) -> bool:
    """Whether ``addrport`` (``host:port``, ``[v6]:port`` or a bare port) is loopback-only."""
    host = addrport.rpartition(":")[0] if ":" in addrport else "127.0.0.1"
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Serve the Zoho sandbox with gunicorn (1 process, 32 threads)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDR)
        parser.add_argument("--threads", type=int, default=32)

    def handle(self, *args, addrport: str, threads: int, **options) -> None:
        if addrport.isdigit():
            addrport = f"127.0.0.1:{addrport}"
        if not loopback(addrport) and os.environ.get(ALLOW_PUBLIC_BIND) != "1":
            raise CommandError(
                f"The Zoho sandbox has no authentication; refusing to listen on {addrport}. "
                f"Bind 127.0.0.1, or set {ALLOW_PUBLIC_BIND}=1 where the port is private."
            )
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
