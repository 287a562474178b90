from django.core.management.base import BaseCommand

from ... import lifecycle


class Command(BaseCommand):
    help = "Wipe all sandbox data and load the baseline (same as POST /_sandbox/reset)."

    def handle(self, *args, **options) -> None:
        lifecycle.reset_all()
        self.stdout.write("sandbox: reset to baseline")
