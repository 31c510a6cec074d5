"""Settings of one mockmkto server: flags, environment (MOCKMKTO_*) and defaults, in one place."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields


def _default_seed() -> str:
    """seed_data/default.json: beside the package in a checkout, inside it once installed."""
    package = os.path.dirname(os.path.abspath(__file__))
    for folder in (os.path.join(os.path.dirname(package), "seed_data"), os.path.join(package, "seed_data")):
        if os.path.isfile(os.path.join(folder, "default.json")):
            return os.path.join(folder, "default.json")
    return os.path.join(package, "seed_data", "default.json")


DEFAULT_SEED = _default_seed()


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    db: str = "sqlite:///mockmkto.db"
    seed: str | None = None
    auth: bool = True
    # Marketo does not document its signature window; +-15 minutes is our choice (docs/behaviour.md).
    signature_window_seconds: int = 900
    max_request_bytes: int = 10 * 1024 * 1024
    journal_cap: int = 1000
    journal_bytes: int = 64 * 1024 * 1024
    # Each instance holds a database (or schema) and its connections: a bound, not a quota.
    max_instances: int = 100
    # When set, every /_admin request but /_admin/health needs it (admin/guard.py).
    admin_token: str | None = None
    versions: tuple[str, ...] = field(
        default=("2_0", "2_1", "2_2", "2_3", "2_4", "2_5", "2_6", "2_7", "2_8", "2_9", "3_0", "3_1")
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Config:
        """Defaults, then MOCKMKTO_<NAME> variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(f"MOCKMKTO_{f.name.upper()}")
            if raw is None or f.name == "versions":
                continue
            if f.type == "int":
                values[f.name] = int(raw)
            elif f.type == "bool":
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def admin_open_to_network(self) -> bool:
        """Bound beyond loopback without an admin token: anyone who reaches the port may reset or export."""
        if self.admin_token or self.host == "localhost":
            return False
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return True  # a host name: whatever it resolves to
