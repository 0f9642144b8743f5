"""Writing checked rows while later rows are still being checked (PostgreSQL).

A large import spends about as long checking rows in Python as PostgreSQL spends
writing them (cards, their history and assignment rows, a dozen indexes). The writer
runs the writes on its own connection in a background thread, chunk by chunk as the
importer finishes checking them, inside one transaction that is committed only when
the whole file turned out clean and rolled back otherwise: all or nothing, as before.
The importer's lookups stay on its own connection, so they never see the uncommitted
rows (a card written from row 10 is not "an existing card" for row 20,000).

Foreign keys are checked as each chunk is written (`SET CONSTRAINTS ALL IMMEDIATE`)
rather than all at COMMIT, so that work overlaps the checks too.
"""

import queue
import sys
import threading
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import translation

_COMMIT, _ABANDON = object(), object()

# While a writer runs, Python hands the GIL over every millisecond instead of every five:
# the writer thread needs it back after each round trip (a COPY's end, an id
# reservation) while the importer's thread is busy checking rows, and with the default
# the database sat idle waiting for the next chunk's data (measured: the wait for the
# writer at the end of a 100,000-row import 2.1 -> 1.3 s). Set by the first running
# writer, restored by the last.
SWITCH_INTERVAL = 0.001
_switch = {"writers": 0, "saved": None}
_switch_lock = threading.Lock()


def _switch_enter() -> None:
    with _switch_lock:
        if _switch["writers"] == 0:
            _switch["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, _switch["saved"]))
        _switch["writers"] += 1


def _switch_leave() -> None:
    with _switch_lock:
        _switch["writers"] -= 1
        if _switch["writers"] == 0:
            sys.setswitchinterval(_switch["saved"])


class _Abandoned(Exception):
    pass


class Writer:
    """`start(cursor)` once, `chunk(cursor, item)` per `send`, `finish(cursor, item)` at
    `commit`, all in one transaction on the thread's own connection. With `merge`,
    items sent while the writer was busy are written together (up to MERGE_MAX):
    `chunk(cursor, merge([item, …]))`, fewer and larger statements when it lags."""

    MERGE_MAX = 8

    # Called with the thread's connection just before it is closed (benchmarks read
    # the backend's CPU time there).
    before_close: Callable | None = None

    def __init__(self, *, start: Callable, chunk: Callable, finish: Callable,
                 merge: Callable[[list], object] | None = None):
        self._start, self._chunk, self._finish = start, chunk, finish
        self._merge = merge
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._language = translation.get_language()
        self._error: BaseException | None = None
        self._result = None
        self._done = False
        _switch_enter()
        self._thread = threading.Thread(target=self._run, name="kehu-import-writer",
                                        daemon=True)
        self._thread.start()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def send(self, item) -> None:
        if not self._done and self._error is None:
            self._queue.put((None, item))

    def commit(self, item):
        """Finish and commit; returns `finish`'s result or raises what the writer hit."""
        self._stop(_COMMIT, item)
        if self._error is not None:
            raise self._error
        return self._result

    def abandon(self) -> None:
        """Roll everything back (no-op after commit)."""
        self._stop(_ABANDON, None)

    def _stop(self, how, item) -> None:
        if self._done:
            self._thread.join()
            return
        self._done = True
        self._queue.put((how, item))
        try:
            self._thread.join()
        finally:
            _switch_leave()
            # The callables are usually the importer's closures and the importer holds
            # this writer: without this, the importer and everything only it holds (the
            # plans, points, grid: ~450,000 objects for 100,000 rows) would wait for a
            # full collection of the cyclic GC instead of being freed when dropped.
            self._start = self._chunk = self._finish = self._merge = None

    def _more(self, item):
        """`item` merged with the chunks already waiting; and the control message met
        after them, if any (handled next)."""
        items = [item]
        while len(items) < self.MERGE_MAX:
            try:
                waiting = self._queue.get_nowait()
            except queue.Empty:
                break
            if waiting[0] is not None:
                return (self._merge(items) if len(items) > 1 else item), waiting
            items.append(waiting[1])
        return (self._merge(items) if len(items) > 1 else item), None

    def _run(self) -> None:
        try:
            with translation.override(self._language), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._start(cursor)
                pending = None
                while True:
                    how, item = pending or self._queue.get()
                    pending = None
                    if how is _ABANDON:
                        raise _Abandoned
                    if how is _COMMIT:
                        self._result = self._finish(cursor, item)
                        break
                    if self._merge is not None:
                        item, pending = self._more(item)
                    self._chunk(cursor, item)
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the importer's thread at commit
            self._error = exc
        finally:
            if Writer.before_close is not None:
                Writer.before_close(connection)
            connection.close()  # this thread's own connection
