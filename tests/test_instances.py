"""Named instances: each its own state, created on first use, at most MOCKMKTO_MAX_INSTANCES of them."""

from __future__ import annotations

import os

import pytest

from mockmkto.domain.instance import Instance
from mockmkto.domain.seed import load_seed
from mockmkto.domain.seed_format import SeedError
from tests.soap import LiveServer, envelope
from tests.stores import store_url

SYNC_LEAD = (
    "<ns1:paramsSyncLead><leadRecord><Email>named@example.com</Email></leadRecord>"
    "<returnLead>false</returnLead></ns1:paramsSyncLead>"
)


@pytest.fixture
def capped(request, store_kind):
    """A server that holds at most two instances: the default one and one more."""
    databases = request.getfixturevalue("postgres_databases") if store_kind == "postgresql" else None
    server = LiveServer(db=store_url(store_kind, databases, "capped"), max_instances=2)
    yield server
    server.stop()


def test_a_named_instance_is_created_on_first_use_with_its_own_state(capped):
    answer = capped.session.post(f"{capped.base}/team-a/soap/mktows/2_6", data=envelope(SYNC_LEAD).encode())
    assert answer.status_code == 200
    found = capped.session.get(f"{capped.base}/team-a/_admin/leads", params={"email": "named@example.com"})
    assert found.json()["total"] == 1
    default = capped.session.get(f"{capped.base}/_admin/leads", params={"email": "named@example.com"})
    assert default.json()["total"] == 0


def test_past_the_cap_a_new_instance_is_a_503_naming_the_setting(capped):
    assert capped.session.get(f"{capped.base}/team-a/_admin/health").status_code == 200
    refused = capped.session.get(f"{capped.base}/team-b/_admin/health")
    assert refused.status_code == 503 and "MOCKMKTO_MAX_INSTANCES" in refused.json()["error"]
    assert capped.app.instance_names() == ["default", "team-a"]


def test_an_instance_that_exists_is_served_past_the_cap(capped):
    capped.session.get(f"{capped.base}/team-a/_admin/health")
    capped.session.get(f"{capped.base}/team-b/_admin/health")
    answer = capped.session.post(f"{capped.base}/team-a/soap/mktows/2_6", data=envelope(SYNC_LEAD).encode())
    assert answer.status_code == 200


def files_open() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_an_instance_whose_seed_cannot_be_loaded_holds_no_file_or_connection_open(request, store_kind, tmp_path):
    if store_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'doomed.db'}"
    else:
        url = store_url(store_kind, request.getfixturevalue("postgres_databases"), "doomed")
    twice_id_1 = {"leads": [{"Id": 1, "Email": "one@example.com"}, {"Id": 1, "Email": "two@example.com"}]}
    before = files_open()
    for _ in range(5):
        with pytest.raises(SeedError):
            Instance("doomed", url, seed=twice_id_1)
    assert files_open() <= before + 1


def test_a_seed_text_xml_cannot_carry_is_refused_naming_its_path_whatever_loads_it(instance):
    """Seed files (`--seed`, named seeds, the pytest plugin's) are read without the admin API."""
    doc = {"programs": [{"name": "Fine", "campaigns": [{"name": "Stop\u0000", "type": "trigger"}]}]}
    with instance.store.session() as session, pytest.raises(SeedError) as raised:
        load_seed(session, instance.clock, doc)
    assert raised.value.path == "programs[0].campaigns[0].name" and "U+0000" in raised.value.problem
