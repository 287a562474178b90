"""Connect Zoho with a self-client grant code, without a browser.

Zoho's API console issues "self client" grant codes for server-side set-ups; this trades
one at the accounts server exactly as the Connections screen trades a consent code, then
(for Books) binds the organisation. ``make demo`` uses it against the Zoho sandbox.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from syncadmin import connections
from syncadmin.models import Service
from syncadmin.sync.profile import sync_settings_ensure


class Command(BaseCommand):
    help = "Connect Zoho CRM or Books with a self-client grant code."

    def add_arguments(self, parser):
        parser.add_argument("--service", choices=[Service.CRM, Service.BOOKS], required=True)
        parser.add_argument("--code", help="the self-client grant code")
        parser.add_argument(
            "--print-scopes", action="store_true", help="print the scopes to grant, and stop"
        )
        parser.add_argument("--data-centre", default="eu")
        parser.add_argument("--organisation", default="", help="Books organisation id")
        parser.add_argument("--user", default="admin", help="syncadmin user recorded as actor")

    def handle(self, *args, **options):
        if options["print_scopes"]:
            self.stdout.write(",".join(connections.SCOPES[options["service"]]))
            return
        if not options["code"]:
            raise CommandError("--code is required (generate one in Zoho's API console).")
        user = get_user_model().objects.filter(username=options["user"]).first()
        payload = {"s": options["service"], "dc": options["data_centre"]}
        try:
            connection = connections.connection_complete(
                payload=payload, code=options["code"], accounts_server="",
                redirect_to="", user=user,
            )  # fmt: skip
            if options["service"] == Service.BOOKS and not connection.organization_id:
                connection = connections.connection_choose_organisation(
                    connection=connection, organization_id=self._org(connection, options),
                    user=user,
                )  # fmt: skip
        except connections.ConnectError as exc:
            raise CommandError(str(exc)) from exc
        if connection.service == Service.BOOKS:
            sync_settings_ensure(books_organization_id=connection.organization_id)
        self.stdout.write(f"{connection}: {connection.get_status_display()}")

    def _org(self, connection, options) -> str:
        choices = dict(connections.organisation_choices(connection))
        wanted = options["organisation"] or next(iter(choices), "")
        if wanted not in choices:
            raise CommandError(f"Pick one of the organisations: {', '.join(choices)}")
        return wanted
