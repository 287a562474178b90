"""Create (or reset) the three demo users and print their logins."""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

DEMO_USERS = {
    "admin": "Ada Admin",
    "finance": "Fin Finance",
    "sales": "Sam Sales",
}


class Command(BaseCommand):
    help = "Create the demo users admin, finance and sales with fresh passwords."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even in production (DEBUG off, no SYNCADMIN_DEMO): resets the "
            "passwords of users named admin, finance and sales.",
        )

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "demo_setup resets the passwords of admin, finance and sales; it runs only "
                "with DEBUG or SYNCADMIN_DEMO=1 (as `make demo` sets), or with --force."
            )
        self.stdout.write("Demo logins (role = username):")
        for role, full_name in DEMO_USERS.items():
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=role)
            user.first_name, user.last_name = full_name.split()
            user.email = f"{role}@example.test"
            user.is_staff = role == "admin"
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:8} password: {password}")
