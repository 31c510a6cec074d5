from __future__ import annotations

import pytest

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain.clock import Clock
from mockmkto.domain.instance import Instance
from mockmkto.domain.seed_format import read_seed_file
from tests.schema import validate_success_responses
from tests.soap import LiveServer, SoapClient


@pytest.fixture(scope="session")
def live_server():
    server = LiveServer()
    server.session.hooks["response"].append(validate_success_responses)
    yield server
    server.stop()


@pytest.fixture
def server(live_server):
    """The live server, its state back to seed_data/default.json."""
    live_server.reset()
    return live_server


@pytest.fixture(scope="session")
def seeded_instance():
    seed = read_seed_file(DEFAULT_SEED)
    return Instance("test", "sqlite://", seed=seed), seed


@pytest.fixture
def instance(seeded_instance):
    """An in-memory instance back to seed_data/default.json (its snapshot), for domain tests."""
    instance, seed = seeded_instance
    instance.reset(seed)
    return instance


@pytest.fixture
def session(instance):
    with instance.store.session() as session:
        yield session


@pytest.fixture
def clock(instance) -> Clock:
    return instance.clock


@pytest.fixture
def mktows(server) -> SoapClient:
    """zeep on Marketo's reference WSDL (served WSDL without it), bound to the live server, signing each call."""
    return SoapClient(server)
