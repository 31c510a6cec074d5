"""The instance's background worker: a unit of work a step, giving way to this process's calls in
flight, and to nothing else."""

from __future__ import annotations

import threading

import pytest

from mockmkto.domain import worker
from mockmkto.domain.worker import Worker


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
