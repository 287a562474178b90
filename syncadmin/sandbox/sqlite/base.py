"""SQLite for the sandbox's one server process: its writers queue on a lock in the process.

SQLite lets one writer at a time in. A writer that finds the database locked sleeps in
SQLite's busy handler (1, 2, 5 … up to 100 ms) and tries again, so with 32 server threads
writing call logs a Books call waited tens of milliseconds for locks held for
microseconds: latency Zoho does not have, which the latency knob is there to model
instead. Here a writer waits on a lock that hands over the moment the last writer
commits. Readers are untouched (WAL lets them read beside the writer); another process
writing the same file still meets SQLite's busy handler, as before.
"""

import threading

from django.db.backends.sqlite3 import base

_writer = threading.RLock()


def _writes(query: str) -> bool:
    return not query.lstrip()[:6].upper().startswith("SELECT")


class SerialCursor(base.SQLiteCursorWrapper):
    """Outside a transaction each writing statement is its own transaction: it takes
    the writer lock for its duration."""

    def execute(self, query, params=None):
        if self.connection.in_transaction or not _writes(query):
            return super().execute(query, params)
        with _writer:
            return super().execute(query, params)

    def executemany(self, query, param_list):
        if self.connection.in_transaction:
            return super().executemany(query, param_list)
        with _writer:
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    """A transaction holds the writer lock from BEGIN to COMMIT or ROLLBACK (the settings
    begin every transaction IMMEDIATE, that is as a writer)."""

    _holds_writer = False

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SerialCursor)

    def _start_transaction_under_autocommit(self):
        _writer.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            _writer.release()
            raise
        self._holds_writer = True

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
