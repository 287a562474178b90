"""`python -m syncadmin.sandbox <command ...>`: Django management with the sandbox settings."""

import os
import sys


def main() -> None:
    # Forced, not setdefault: the shell may carry the product's DJANGO_SETTINGS_MODULE.
    os.environ["DJANGO_SETTINGS_MODULE"] = "syncadmin.sandbox.settings"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m syncadmin.sandbox", *sys.argv[1:]])


if __name__ == "__main__":
    main()
