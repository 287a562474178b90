"""A fast bulk UPDATE: one prepared statement run with executemany.

Django's `bulk_update` builds one CASE WHEN per field per batch, which is quadratic in
practice (tens of seconds for a few thousand rows on SQLite). The native sync re-pairs
every customer after a reconnect, and seeding edits tens of thousands of rows, so both
write through here.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def update_rows(objs: Sequence[Model], fields: Sequence[str]) -> int:
    """UPDATE `fields` of every object by primary key; returns the number of rows sent.
    Objects must be saved instances of one model."""
    if not objs:
        return 0
    meta = objs[0]._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def insert_rows(objs: Sequence[Model], batch_size: int = 5000) -> None:
    """INSERT unsaved objects of one model, setting their primary keys.

    On SQLite (the sandbox's database) this is one prepared statement run with
    executemany, with keys handed out above the current maximum: the caller's transaction
    holds SQLite's write lock, so no one else can take them. Elsewhere it is bulk_create.
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields]
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) FROM {table}"
        )
        next_pk = cursor.fetchone()[0] + 1
        for obj in objs:
            obj.pk, next_pk = next_pk, next_pk + 1
            obj._state.adding = False
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        for start in range(0, len(objs), batch_size):
            rows = [_row(obj, fields) for obj in objs[start : start + batch_size]]
            cursor.executemany(sql, rows)


def _row(obj: Model, fields: list) -> list:
    for field in fields:  # a foreign key to an object saved since the FK was set
        if field.is_relation and getattr(obj, field.attname) is None:
            related = field.get_cached_value(obj, None)
            if related is not None:
                setattr(obj, field.attname, related.pk)
    return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
