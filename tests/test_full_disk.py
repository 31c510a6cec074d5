"""A full disk under a SQLite store (here: the server may write no file past its size when the disk
fills, and a little more; RLIMIT_FSIZE on the running process). What SQLite cannot commit is refused
the way Marketo refuses a call its service cannot serve, changes nothing, and the server goes on."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from lxml import etree

from tests.servers import Server, start_servers
from tests.soap import envelope, fault_code

pytestmark = pytest.mark.slow

ROOM = 256 * 1024  # a few syncLeads' worth of WAL


@dataclass
class FullDisk:
    server: Server
    folder: Path

    def leave_little_room(self) -> None:
        written = max(path.stat().st_size for path in self.folder.iterdir())
        resource.prlimit(self.server.process.pid, resource.RLIMIT_FSIZE, (written + ROOM, resource.RLIM_INFINITY))

    def leave_no_room(self) -> None:
        """Nothing past a file's first page: even a new instance's database cannot be made."""
        resource.prlimit(self.server.process.pid, resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))

    def make_room(self) -> None:
        resource.prlimit(self.server.process.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)

    def fill(self) -> None:
        """New leads until one is refused: the disk is full."""
        for n in range(40):
            if self.sync(f"filling-{n}@example.com") is not None:
                return
        raise AssertionError("the disk never filled")

    def sync(self, email: str, instance: str = "") -> int | None:
        """syncLead of a new lead (to a named instance: `/name`): its fault code, None when acknowledged."""
        body = f"<ns1:paramsSyncLead><leadRecord><Email>{email}</Email></leadRecord><returnLead>false</returnLead>"
        url = f"{self.server.base}{instance}/soap/mktows/2_6"
        answer = requests.post(url, data=envelope(body + "</ns1:paramsSyncLead>").encode(), timeout=30)
        return fault_code(etree.fromstring(answer.content))

    def files_open(self) -> int:
        return len(os.listdir(f"/proc/{self.server.process.pid}/fd"))

    def stored_emails(self) -> set[str]:
        leads = requests.get(f"{self.server.base}/_admin/export", timeout=30).json()["leads"]
        return {lead.get("Email") for lead in leads}


@pytest.fixture
def full_disk(tmp_path) -> Iterator[FullDisk]:
    (server,) = start_servers(f"sqlite:///{tmp_path / 'full.db'}", 1)
    try:
        disk = FullDisk(server, tmp_path)
        disk.leave_little_room()
        yield disk
    finally:
        server.stop()


def test_a_call_sqlite_cannot_commit_is_20011_and_changes_nothing(full_disk):
    answers: dict[str, int | None] = {}
    for n in range(40):  # until three are refused
        answers[f"full-{n}@example.com"] = full_disk.sync(f"full-{n}@example.com")
        if list(answers.values()).count(20011) == 3:
            break
    assert set(answers.values()) == {None, 20011}
    stored = full_disk.stored_emails()  # the admin API still reads
    assert {email for email, code in answers.items() if code is None} <= stored
    assert not {email for email, code in answers.items() if code == 20011} & stored


def test_calls_succeed_again_once_there_is_room(full_disk):
    full_disk.fill()
    full_disk.make_room()
    assert full_disk.sync("room-again@example.com") is None
    assert "room-again@example.com" in full_disk.stored_emails()


def test_an_admin_change_the_disk_cannot_take_is_a_json_503_and_changes_nothing(full_disk):
    # A reset with room keeps a copy of the seeded state, which the next reset to it restores.
    full_disk.make_room()
    requests.post(f"{full_disk.server.base}/_admin/reset", timeout=30).raise_for_status()
    full_disk.leave_little_room()
    full_disk.fill()
    before = requests.get(f"{full_disk.server.base}/_admin/export", timeout=30).json()
    seed = {"leads": [{"Email": f"seeded-{n}@example.com"} for n in range(300)]}
    for method, path, body in [("POST", "/_admin/reset", None), ("POST", "/_admin/seed", seed)]:
        answer = requests.request(method, full_disk.server.base + path, json=body, timeout=30)
        assert answer.status_code == 503 and answer.json()["error"].startswith("store unavailable: ")
    assert requests.get(f"{full_disk.server.base}/_admin/export", timeout=30).json() == before


def test_a_call_to_a_new_instance_the_disk_cannot_take_is_20011_and_leaves_no_file_open(full_disk):
    full_disk.leave_no_room()
    files_open = full_disk.files_open()
    assert {full_disk.sync(f"new-{n}@example.com", "/newcomer") for n in range(30)} == {20011}
    assert full_disk.files_open() <= files_open + 2  # a connection or two of the clients', not 30 stores'
    full_disk.make_room()
    assert full_disk.sync("room-again@example.com", "/newcomer") is None
