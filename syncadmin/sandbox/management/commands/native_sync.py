"""`python -m syncadmin.sandbox native_sync [--org ID] [--disconnect | --connect]`:
the native integration from the shell (same services as /_sandbox/native/)."""

import json

from django.core.management.base import BaseCommand, CommandError

from ... import clock
from ...models import BooksOrg
from ...native.service import (
    is_syncing,
    native_sync_connect,
    native_sync_disconnect,
    native_sync_run,
)
from ...native.views import run_dict


class Command(BaseCommand):
    help = "Run the emulated native CRM → Books sync now (or disconnect/connect it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="Books organization_id (default: every integrated org)")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--disconnect", action="store_true", help="wipe the id map")
        action.add_argument("--connect", action="store_true", help="reconnect (no run)")

    def handle(self, *args, org: str | None, disconnect: bool, connect: bool, **opts) -> None:
        orgs = BooksOrg.objects.exclude(crm_org=None).order_by("organization_id")
        if org:
            orgs = orgs.filter(organization_id=org)
        if not orgs:
            raise CommandError("no such CRM-integrated Books organization")
        for books_org in orgs:
            if disconnect:
                forgotten = native_sync_disconnect(books_org)
                self.stdout.write(f"{books_org.organization_id}: {forgotten} links forgotten")
            elif connect:
                native_sync_connect(books_org)
                self.stdout.write(f"{books_org.organization_id}: connected")
            elif is_syncing(books_org):
                run = native_sync_run(books_org, now=clock.now())
                self.stdout.write(json.dumps(run_dict(run)))
