"""Servers the tests start as a user would: `mockmkto serve` processes on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import requests

from tests.soap import ROOT


def free_port() -> int:
    """A loopback port nothing listens on now (the caller binds it soon after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, list[str]]:
    """`python -m mockmkto serve ...` until it has printed its banner (endpoint, WSDL, credentials)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockmkto", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    lines = [process.stdout.readline().rstrip() for _ in range(4)]
    return process, lines


def wait_healthy(url: str) -> dict:
    """The health answer at `url`, once the server gives one (20 s at most)."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return requests.get(url, timeout=2).json()
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Server:
    """`mockmkto serve` in a process of its own on a free loopback port, its output kept for errors."""

    def __init__(self, db: str, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/soap/mktows/2_6"
        command = [sys.executable, "-m", "mockmkto", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--db", db], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def wait_ready(self) -> None:
        for _ in range(600):
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}: {self.process.stderr.read().decode()}")
            try:
                if requests.get(f"{self.base}/_admin/health", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError("serve never answered")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()


def start_servers(db: str, count: int, env: dict[str, str] | None = None) -> list[Server]:
    """`count` processes on one database, started together (one of them seeds it), each answering."""
    servers = [Server(db, os.environ | (env or {})) for _ in range(count)]
    try:
        for server in servers:
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def children(pid: int) -> list[int]:
    """The processes `pid` started that still run (Linux's /proc)."""
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _running_parent(int(entry)) == pid]


def running(pid: int) -> bool:
    """Whether process `pid` runs (one that ended unreaped, a zombie, does not)."""
    return _running_parent(pid) is not None


def _running_parent(pid: int) -> int | None:
    """The parent of process `pid`, if it runs; None if it is gone or a zombie (/proc's stat)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
    except OSError:
        return None
    return None if state in ("Z", "X") else int(parent)


def eventually(condition, seconds: float = 30.0) -> bool:
    """Whether `condition()` holds within `seconds`, looked at every 50 ms."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
