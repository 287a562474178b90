"""The sandbox's SQLite backend queues writers on a lock in its process, so a write never
meets a locked database (and SQLite's sleeping busy handler) while another thread of
the server writes. SQLite's own wait is switched off here (timeout 0): a writer that
reached a locked database would fail at once instead of waiting."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.utils import ConnectionHandler

THREADS = 16
ROWS_EACH = 25


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A fresh sandbox database file of one table (not the product's test database)."""
    settings = {
        "ENGINE": "syncadmin.sandbox.sqlite",
        "NAME": str(tmp_path / "sandbox.sqlite3"),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 0,
        },
    }
    handler = ConnectionHandler({"default": settings, "sandbox": settings})
    with django_db_blocker.unblock():
        with handler["sandbox"].cursor() as cursor:
            cursor.execute("CREATE TABLE call (thread INTEGER, n INTEGER)")
        yield handler
        handler.close_all()


def _in_transaction(connection, statements):
    connection.ensure_connection()  # what atomic() does on SQLite
    connection._start_transaction_under_autocommit()
    try:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def _rows(handler) -> int:
    with handler["sandbox"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM call")
        return cursor.fetchone()[0]


def test_writers_on_many_threads_all_land(database):
    barrier = threading.Barrier(THREADS, timeout=30)

    def write(thread: int) -> None:
        connection = database["sandbox"]
        barrier.wait()
        for n in range(ROWS_EACH):
            if n % 2:
                with connection.cursor() as cursor:  # a statement on its own
                    cursor.execute("INSERT INTO call VALUES (%s, %s)", [thread, n])
            else:
                _in_transaction(connection, [("INSERT INTO call VALUES (%s, %s)", [thread, n])])
        connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))

    assert _rows(database) == THREADS * ROWS_EACH


def test_a_transaction_keeps_other_writers_out_until_it_ends(database):
    inside, written = threading.Event(), []
    holder = database["sandbox"]
    holder._start_transaction_under_autocommit()
    with holder.cursor() as cursor:
        cursor.execute("INSERT INTO call VALUES (1, 1)")

    def other_writer() -> None:
        inside.set()
        with database["sandbox"].cursor() as cursor:
            cursor.execute("INSERT INTO call VALUES (2, 2)")
        written.append(True)
        database["sandbox"].close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    inside.wait(5)
    thread.join(0.3)
    assert written == []  # queued behind the open transaction, not failed
    holder.rollback()
    thread.join(5)

    assert written == [True]
    assert _rows(database) == 1  # the rolled-back row is gone, the queued one landed
