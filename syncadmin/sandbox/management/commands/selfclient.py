"""`python -m syncadmin.sandbox selfclient --user EMAIL --scopes SCOPES`: print a grant code
as Zoho's API console self client does, for scripts that need tokens without a browser."""

from django.core.management.base import BaseCommand, CommandError

from ...oauth import authorize


class Command(BaseCommand):
    help = (
        "Print a self-client grant code (bound to no redirect_uri, yields a refresh token) "
        "that POST /oauth/v2/token exchanges with grant_type=authorization_code."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="email of an active sandbox user")
        parser.add_argument("--scopes", required=True, help="comma-separated scopes")
        parser.add_argument("--client-id", default="", help="default: the baseline client")
        parser.add_argument("--ttl", type=int, default=None, help="seconds the code is valid")

    def handle(self, *args, user: str, scopes: str, client_id: str, ttl: int | None, **options):
        try:
            code = authorize.self_client_code_issue(
                email=user, scopes=scopes, client_id=client_id, ttl_seconds=ttl
            )
        except authorize.AuthPageError as exc:
            raise CommandError(f"{exc.title}: {exc.detail}") from exc
        except authorize.AccessDenied as exc:
            raise CommandError("access_denied: too many grant codes for this client") from exc
        self.stdout.write(code.code)
