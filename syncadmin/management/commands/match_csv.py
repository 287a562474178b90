"""Offline match list: `manage.py match_csv BOOKS.csv CRM.csv --out MATCHES.csv`.

Needs no Zoho connection: a Books "Export Customers" CSV and a CRM Accounts (or
Contacts) export in, one row per record out (README "Matching")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from syncadmin.matching.csvio import MAX_BYTES, CsvProblem, match_csv_files, write_matches_csv


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:  # refuse before reading it all into memory
            limit = MAX_BYTES // 1024 // 1024
            raise CommandError(f"{path}: larger than {limit} MB; export fewer records.")
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None


class Command(BaseCommand):
    help = "Match a Books customer export against a CRM Accounts/Contacts export."

    def add_arguments(self, parser) -> None:
        parser.add_argument("books", type=Path, help="Books 'Export Customers' CSV")
        parser.add_argument("crm", type=Path, help="CRM Accounts or Contacts export CSV")
        parser.add_argument("--out", type=Path, required=True, help="where to write matches")
        parser.add_argument(
            "--region", default="", help="country for national phone numbers: IN, GB, US …"
        )

    def handle(self, *args, **options) -> None:
        books, crm = _read(options["books"]), _read(options["crm"])
        try:
            result, records = match_csv_files(books, crm, region=options["region"])
        except CsvProblem as exc:
            raise CommandError(str(exc)) from None
        options["out"].write_text(write_matches_csv(result, records), encoding="utf-8")
        clustered = sum(len(c.refs) for c in result.clusters)
        self.stdout.write(
            f"{len(records)} records, {len(result.clusters)} duplicate clusters "
            f"({clustered} records); written to {options['out']}"
        )
