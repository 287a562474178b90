"""Print what to enter in CRM so new records reach syncadmin in seconds (JSON)."""

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from syncadmin.models import SyncSettings
from syncadmin.sync.webhook_setup import webhook_setup


class Command(BaseCommand):
    help = "Print the CRM workflow webhook (URL, secret header, body template) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Books organisation id (default: the only one)")
        parser.add_argument("--module", default="Accounts", choices=["Accounts", "Contacts"])

    def handle(self, *args, **options):
        found = SyncSettings.objects.all()
        if options["org"]:
            found = found.filter(books_organization_id=options["org"])
        if found.count() != 1:
            raise CommandError("Name the Books organisation with --org (none or several found).")
        self.stdout.write(json.dumps(asdict(webhook_setup(found.get(), module=options["module"]))))
