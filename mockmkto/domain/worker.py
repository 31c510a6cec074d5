"""An instance's background worker: a daemon thread (one per instance and process) that does work
waiting in the store, a unit of work a step, so calls take turns with it. Today's work:
importToList's chunks. Started by the first `wake`; woken at once by calls of this process that
leave work waiting, and otherwise looking now and then (another process may have left some).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from mockmkto.domain.errors import STORE_UNAVAILABLE

log = logging.getLogger("mockmkto.worker")

# How often an idle worker looks for work another process left (the store is shared).
POLL_SECONDS = 2.0
# Between steps the worker lets this process's calls in flight go first (a lock handed straight back
# would rarely change hands), checking this often, for at most YIELD_SECONDS: a busy server still
# imports. With no call in flight it goes on at once.
TURN_SECONDS = 0.002
YIELD_SECONDS = 0.25


class Worker:
    def __init__(self, name: str, step: Callable[[], bool], calls_waiting: Callable[[], bool] = lambda: False):
        """`step` does one unit of work and says whether it found any; `calls_waiting` says whether
        calls of this process are in flight (they go first)."""
        self.name = name
        self._step = step
        self._calls_waiting = calls_waiting
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Look for work at once, starting the thread if it is not running."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=f"mockmkto-worker-{self.name}", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread once its current step ends (a later `wake` starts it again)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._wake.set()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                found = self._step()
            except STORE_UNAVAILABLE as error:
                # The database is away (restarting): the work waits for it, as calls do.
                log.warning("background work of instance %s waits for the store: %s", self.name, error)
                found = False
            except Exception:
                # The step's unit of work was rolled back: its work waits for the next look.
                log.exception("background work of instance %s failed", self.name)
                found = False
            if found:
                self._give_way()
            else:
                self._wake.wait(POLL_SECONDS)

    def _give_way(self) -> None:
        deadline = time.monotonic() + YIELD_SECONDS
        while self._calls_waiting() and time.monotonic() < deadline and not self._stop.wait(TURN_SECONDS):
            pass
