"""Reset to baseline, first-start loading, and id priming."""

from collections.abc import Callable

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from . import baseline, ids, knobs
from .models import (
    BooksContact,
    BooksContactPerson,
    BooksInvoice,
    CrmOrg,
    CrmRecord,
    SandboxUser,
    WebhookRule,
)

_reset_hooks: list[Callable[[], None]] = []


def register_reset_hook(hook: Callable[[], None]) -> None:
    """Call `hook()` after every reset, e.g. to drop in-process queues or caches."""
    if hook not in _reset_hooks:
        _reset_hooks.append(hook)


def reset_all() -> None:
    """Empty every sandbox table (fast, whatever the size) and load the baseline."""
    tables = connection.introspection.django_table_names(only_existing=True)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    connection.ops.execute_sql_flush(statements)
    knobs.invalidate()
    baseline.load()
    knobs.invalidate()
    for hook in _reset_hooks:
        hook()


def ensure_baseline() -> bool:
    """Load the baseline into an empty database; True if it did."""
    if SandboxUser.objects.exists():
        return False
    baseline.load()
    return True


_CRM_ID_COLUMNS = [
    (CrmRecord, "record_id"),
    (SandboxUser, "crm_user_id"),
    (WebhookRule, "webhook_id"),
    (CrmOrg, "org_id"),
]
_BOOKS_ID_COLUMNS = [
    (BooksContact, "contact_id"),
    (BooksContactPerson, "contact_person_id"),
    (BooksInvoice, "invoice_id"),
]


def prime_ids() -> None:
    """Make ids.py continue above every id already stored (safe after a restart)."""
    for sequence, columns in ((ids.crm_ids, _CRM_ID_COLUMNS), (ids.books_ids, _BOOKS_ID_COLUMNS)):
        for model, column in columns:
            # fixed-width numeric strings: the string maximum is the numeric maximum
            largest = model.objects.filter(**{f"{column}__startswith": sequence.prefix}).aggregate(
                m=Max(column)
            )["m"]
            sequence.prime(largest)
