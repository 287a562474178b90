"""Run a Zoho-sandbox command in its own process.

The sandbox has its own settings and database and is never imported by the product;
these ``manage.py`` commands only hand over to ``python -m syncadmin.sandbox``.
"""

import os
import sys

from django.core.management.base import BaseCommand


class SandboxShim(BaseCommand):
    sandbox_command = ""

    def run_from_argv(self, argv: list[str]) -> None:
        # Every argument belongs to the sandbox command: hand them over unparsed.
        self.handle(rest=argv[2:])

    def handle(self, *args, rest: list[str], **options) -> None:
        argv = [sys.executable, "-m", "syncadmin.sandbox", self.sandbox_command, *rest]
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        os.execvpe(argv[0], argv, env)
