"""`python -m syncadmin.sandbox seed --scenario messy --size N --seed S [--truth PATH]`."""

import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ...seeding.scenario import SCENARIOS, seed


class Command(BaseCommand):
    help = "Wipe the sandbox and seed a scenario (default: messy) with its ground truth."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scenario", default="messy", choices=SCENARIOS)
        parser.add_argument("--size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--org", default="in", help="uk, in or a Books organization_id")
        parser.add_argument("--truth", default=None, help="ground-truth file path")
        parser.add_argument(
            "--deactivate-sync-user",
            action="store_true",
            help="leave sync@zylker.test (the product's connecting user) deactivated",
        )

    def handle(self, *args, **opts) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        try:
            summary = seed(
                scenario=opts["scenario"],
                size=opts["size"],
                seed=opts["seed"],
                org=opts["org"],
                truth_path=opts["truth"],
                deactivate_sync_user=opts["deactivate_sync_user"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary, indent=1))
