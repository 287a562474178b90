"""Re-encrypt stored Zoho secrets under the first of TOKEN_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from syncadmin.encryption import stored_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the newest TOKEN_ENCRYPTION_KEYS entry; "
        "afterwards the older keys can be dropped."
    )

    def handle(self, *args, **options) -> None:
        count = stored_secrets_rotate()
        self.stdout.write(f"Re-encrypted {count} stored secrets under the newest key.")
