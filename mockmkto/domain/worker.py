"""An instance's background worker (one per instance and process): it does work waiting in the
store, a unit of work a step, so calls take turns with it. Today's work: importToList's chunks.
Started by the first `wake`; woken at once by calls of this process that leave work waiting, and
otherwise looking now and then (another process may have left some).

`Worker` is a daemon thread. `WorkerProcess` runs the same loop in a process of its own, for a store
other processes reach too (PostgreSQL): a thread would hold this process's interpreter between its
statements, and the calls of this process would take turns at it with the work (bench/results.md).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from mockmkto.domain.errors import STORE_UNAVAILABLE

log = logging.getLogger("mockmkto.worker")

# How often an idle worker looks for work another process left (the store is shared).
POLL_SECONDS = 2.0
# Between steps the worker lets this process's calls in flight go first (a lock handed straight back
# would rarely change hands), checking this often, for at most YIELD_SECONDS: a busy server still
# imports. With no call in flight it goes on at once.
TURN_SECONDS = 0.002
YIELD_SECONDS = 0.25
# How long `WorkerProcess.stop` waits for the process to end its step before ending it.
STOP_SECONDS = 30.0


class _Event(Protocol):
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class Background(Protocol):
    """What the instance and its calls use of a worker (`Worker` or `WorkerProcess`)."""

    def wake(self) -> None: ...
    def stop(self) -> None: ...


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
        _work(self.name, self._step, self._wake, self._stop, self._give_way)

    def _give_way(self) -> None:
        deadline = time.monotonic() + YIELD_SECONDS
        while self._calls_waiting() and time.monotonic() < deadline and not self._stop.wait(TURN_SECONDS):
            pass


class WorkerProcess:
    """`Worker`'s loop in a process of its own (spawned: the server's threads make a fork unsafe).
    `open_step(*args)` runs in that process and gives its step and what closes what the step uses.
    It stops with `stop`, or by itself once the process that started it is gone."""

    def __init__(self, name: str, open_step: Callable[..., tuple[Callable[[], bool], Callable[[], None]]], *args: Any):
        self.name = name
        self._open = (open_step, args)
        self._lock = threading.Lock()
        # The process and the events it shares with this one, made by the first `wake` (an instance
        # whose worker never starts makes no semaphores, and no process to track them).
        self._process: Any = None
        self._wake: Any = None
        self._stop: Any = None

    def wake(self) -> None:
        """Look for work at once, starting the process if it is not running."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                context = multiprocessing.get_context("spawn")
                self._wake, self._stop = context.Event(), context.Event()
                self._process = context.Process(
                    target=_run_process,
                    args=(self.name, *self._open, self._wake, self._stop, os.getpid()),
                    name=f"mockmkto-worker-{self.name}",
                    daemon=True,
                )
                self._process.start()
            self._wake.set()

    def stop(self) -> None:
        """Stop the process once its current step ends (a later `wake` starts another)."""
        with self._lock:
            process, self._process = self._process, None
            if process is not None:
                self._stop.set()
                self._wake.set()
        if process is not None:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.terminate()
                process.join()


def _run_process(
    name: str,
    open_step: Callable[..., tuple[Callable[[], bool], Callable[[], None]]],
    args: tuple,
    wake: _Event,
    stop: _Event,
    parent: int,
) -> None:
    """A worker's process: the loop, on what `open_step` opens at the first step, until stopped or
    orphaned (its `parent` gone); then it closes what it opened."""
    # Ctrl-C reaches the whole process group: the server stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    opened: list[tuple[Callable[[], bool], Callable[[], None]]] = []

    def step() -> bool:
        # Opened by the first step, so a store that is away is waited for as any step waits.
        if not opened:
            opened.append(open_step(*args))
            # What start-up made (modules, the store) lives as long as this process: the collector
            # leaves it out of later collections, where full passes over it cost an import about a
            # second (as `mockmkto serve` freezes its own start-up: bench/results.md).
            gc.freeze()
        return opened[0][0]()

    try:
        _work(name, step, wake, stop, lambda: None, orphaned=lambda: os.getppid() != parent)
    finally:
        for _, close in opened:
            close()


def _work(
    name: str,
    step: Callable[[], bool],
    wake: _Event,
    stop: _Event,
    give_way: Callable[[], None],
    orphaned: Callable[[], bool] = lambda: False,
) -> None:
    """Steps until `stop` is set (or the worker is `orphaned`): after a step that found work, the
    next once `give_way` returns; after one that found none, the next when woken, or POLL_SECONDS on."""
    while not stop.is_set() and not orphaned():
        wake.clear()
        try:
            found = step()
        except STORE_UNAVAILABLE as error:
            # The database is away (restarting): the work waits for it, as calls do.
            log.warning("background work of instance %s waits for the store: %s", name, error)
            found = False
        except Exception:
            # The step's unit of work was rolled back: its work waits for the next look.
            log.exception("background work of instance %s failed", name)
            found = False
        if found:
            give_way()
        else:
            wake.wait(POLL_SECONDS)
