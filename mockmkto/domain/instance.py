"""One Marketo instance: its store, its clock and its settings. Several can live in one server."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from mockmkto.domain.clock import Clock
from mockmkto.domain.limits import CallLimits
from mockmkto.domain.seed import load_seed
from mockmkto.store.db import Store
from mockmkto.store.models import User


class Instance:
    def __init__(self, name: str, db_url: str, signature_window_seconds: int = 900, seed: dict | None = None):
        self.name = name
        self.store = Store(db_url)
        self.clock = Clock()
        self.limits = CallLimits(self.clock)
        self.signature_window_seconds = signature_window_seconds
        self._snapshots: dict[str | None, object] = {}
        if seed is not None and self.is_empty():
            self.load(seed)

    def is_empty(self) -> bool:
        with self.store.session() as session:
            return session.scalar(select(User).limit(1)) is None

    def credentials(self) -> list[tuple[str, str]]:
        with self.store.session() as session:
            return [(user.user_id, user.secret) for user in session.scalars(select(User).order_by(User.user_id))]

    def load(self, seed: dict) -> dict[str, int]:
        """Apply a seed document in one transaction (nothing is applied if it is bad)."""
        self.store.seed_cache.clear()
        try:
            with self.store.session() as session:
                return load_seed(session, self.clock, seed)
        finally:
            self.store.seed_cache.clear()

    def reset(self, seed: dict | None = None) -> None:
        """Empty the store, then load `seed` if given. Clock, quotas and injected faults start afresh.

        The state a seed gives is kept as a snapshot and restored on the next reset to that seed,
        so seeded records keep the time of the seed's first load in this process.
        """
        self.clock.reset()
        self.limits.reset()
        key = None if seed is None else hashlib.sha1(json.dumps(seed, sort_keys=True).encode()).hexdigest()
        snapshot = self._snapshots.get(key)
        if snapshot is not None:
            self.store.restore(snapshot)
            return
        self.store.clear()
        if seed is not None:
            self.load(seed)
        snapshot = self.store.snapshot()
        if snapshot is not None:
            self._snapshots[key] = snapshot
