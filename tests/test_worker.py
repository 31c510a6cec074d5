"""The instance's background worker: a unit of work a step, giving way to this process's calls in
flight, and to nothing else; or the same in a process of its own (PostgreSQL), which ends with its
instance or once the process that started it is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from mockmkto.domain import worker
from mockmkto.domain.worker import Worker, WorkerProcess
from tests.servers import eventually, running
from tests.soap import ROOT


class Steps:
    """A step function doing `count` steps of work, then finding none."""

    def __init__(self, count: int):
        self.left = count
        self.taken = 0
        self.done = threading.Event()

    def __call__(self) -> bool:
        if self.left == 0:
            self.done.set()
            return False
        self.left -= 1
        self.taken += 1
        return True


@pytest.fixture
def long_turns(monkeypatch):
    """Turns long enough that a worker waiting one would be seen to wait."""
    monkeypatch.setattr(worker, "TURN_SECONDS", 30.0)
    monkeypatch.setattr(worker, "YIELD_SECONDS", 60.0)


def test_with_no_call_in_flight_the_worker_takes_its_steps_one_after_another(long_turns):
    steps = Steps(3)
    background = Worker("steps", steps, calls_waiting=lambda: False)
    background.wake()
    try:
        assert steps.done.wait(10), "the worker paused between steps with no call to give way to"
    finally:
        background.stop()
    assert steps.taken == 3


def test_the_worker_waits_for_the_calls_in_flight_before_its_next_step(monkeypatch):
    monkeypatch.setattr(worker, "YIELD_SECONDS", 60.0)
    in_flight = threading.Event()
    in_flight.set()
    steps = Steps(2)
    background = Worker("steps", steps, calls_waiting=in_flight.is_set)
    background.wake()
    try:
        assert not steps.done.wait(0.5)
        assert steps.taken == 1
        in_flight.clear()
        assert steps.done.wait(10)
    finally:
        background.stop()
    assert steps.taken == 2


def counting_steps(path: str, count: int):
    """A WorkerProcess's `open_step`: `count` steps, each writing the id of the process it runs in to
    a line of `path`, then none; closing writes "closed"."""
    left = [count]

    def step() -> bool:
        if left[0] == 0:
            return False
        left[0] -= 1
        with open(path, "a") as steps:
            steps.write(f"{os.getpid()}\n")
        return True

    def close() -> None:
        with open(path, "a") as steps:
            steps.write("closed\n")

    return step, close


def lines(path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_a_worker_process_takes_its_steps_in_a_process_of_its_own_and_stops_with_stop(tmp_path):
    path = tmp_path / "steps"
    background = WorkerProcess("steps", counting_steps, str(path), 3)
    background.wake()
    try:
        assert eventually(lambda: len(lines(path)) == 3)
    finally:
        background.stop()
    (*taken, closed) = lines(path)
    assert len(set(taken)) == 1 and taken[0] != str(os.getpid())
    assert closed == "closed"
    assert not running(int(taken[0]))


def test_a_worker_process_stops_once_the_process_that_started_it_is_gone(tmp_path):
    path = tmp_path / "steps"
    starter = (
        "import time; from mockmkto.domain.worker import WorkerProcess; from tests.test_worker import counting_steps; "
        f"background = WorkerProcess('orphan', counting_steps, {str(path)!r}, 1); background.wake(); time.sleep(600)"
    )
    process = subprocess.Popen([sys.executable, "-c", starter], cwd=ROOT)
    try:
        assert eventually(lambda: len(lines(path)) == 1)
    finally:
        process.kill()
        process.wait()
    (worker_process,) = lines(path)
    assert eventually(lambda: not running(int(worker_process)), seconds=5 * worker.POLL_SECONDS)
