"""Run the sync engine's services now, in this process, for an operator at a terminal."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from syncadmin import tasks
from syncadmin.models import CrmModule, RunTrigger, SyncSettings
from syncadmin.sync.match_runs import match_run_now
from syncadmin.sync.mirror import mirror_pull
from syncadmin.sync.push import record_push
from syncadmin.sync.reconcile import reconcile_now, reconcile_start
from syncadmin.zoho.ids import InvalidZohoId, crm_module, zoho_id


class Command(BaseCommand):
    help = (
        "Mirror, reconcile or push one record now, synchronously, printing what was done. "
        "With no action: reconcile (which mirrors first). With no --org: every organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Books organisation id (default: all)")
        parser.add_argument("--mirror", action="store_true", help="Pull CRM and Books now")
        parser.add_argument("--full", action="store_true", help="With --mirror: all of Books")
        parser.add_argument("--reconcile", action="store_true", help="Reconcile now")
        parser.add_argument(
            "--match", action="store_true", help="Match duplicates over the mirrors now"
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="With --reconcile: hand it to the worker, where it spends the worker's API "
            "budget and waits behind real-time pushes, instead of running here",
        )
        parser.add_argument("--push", metavar="MODULE:ID", help="Push one CRM record now")

    def handle(self, *args, **options) -> None:
        orgs = self._orgs(options["org"])
        push = self._push_target(options["push"]) if options["push"] else None
        acted = options["mirror"] or push or options["match"]
        reconcile = options["reconcile"] or not acted
        for org in orgs:
            self.stdout.write(f"Organisation {org}:")
            if options["mirror"]:
                result = mirror_pull(
                    organization_id=org, trigger=RunTrigger.MANUAL, lane="interactive",
                    full=options["full"],
                )  # fmt: skip
                for run in (result.crm_run, result.books_run):
                    if run is not None:
                        self.stdout.write(
                            f"  {run.get_kind_display()}: {run.status}. {run.summary}"
                        )
            if push:
                module, crm_id = push
                outcome = record_push(
                    organization_id=org, module=module, crm_id=crm_id,
                    trigger=RunTrigger.MANUAL, lane="interactive",
                )  # fmt: skip
                reason = f" ({outcome.reason_code})" if outcome.reason_code else ""
                self.stdout.write(f"  Push {module} {crm_id}: {outcome.outcome}{reason}.")
                self.stdout.write(f"    {outcome.message}")
            if options["match"]:
                run = match_run_now(organization_id=org)
                self.stdout.write(f"  Match: {run.status}. {run.summary}")
            if reconcile and options["queue"]:
                run = reconcile_start(organization_id=org, trigger=RunTrigger.MANUAL)
                tasks.reconcile_run.delay(run.pk)
                self.stdout.write(f"  Reconcile: queued for the worker as run {run.pk}.")
            elif reconcile:
                run = reconcile_now(organization_id=org, trigger=RunTrigger.MANUAL)
                self.stdout.write(f"  Reconcile: {run.status}. {run.summary}")

    def _orgs(self, org: str | None) -> list[str]:
        known = list(SyncSettings.objects.values_list("books_organization_id", flat=True))
        if org:
            if org not in known:
                raise CommandError(f"No sync settings for Books organisation {org}.")
            return [org]
        if not known:
            raise CommandError("No organisation is set up for sync yet.")
        return sorted(known)

    def _push_target(self, value: str) -> tuple[str, str]:
        module, _, crm_id = value.partition(":")
        try:
            module, crm_id = crm_module(module), zoho_id(crm_id)
        except InvalidZohoId as exc:
            raise CommandError(f"--push wants MODULE:ID, e.g. Accounts:123: {exc}") from exc
        if module not in CrmModule.values:
            raise CommandError(f"Only {', '.join(CrmModule.values)} are pushed.")
        return module, crm_id
