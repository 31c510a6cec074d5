from __future__ import annotations

import pytest

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import lists
from mockmkto.domain.clock import Clock
from mockmkto.domain.instance import Instance
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.store.models import StaticList
from tests.schema import validate_success_responses
from tests.soap import CAMPAIGN_DAY, LiveServer, SoapClient
from tests.stores import STORES, PostgresDatabases, require_postgres, store_url


@pytest.fixture(scope="session")
def postgres_databases():
    """Databases of this test session on the PostgreSQL server (skips without one, fails under CI)."""
    databases = PostgresDatabases(require_postgres())
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session", params=STORES)
def store_kind(request) -> str:
    """Every test that uses a store runs on each: SQLite and PostgreSQL."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_databases")
    return request.param


def _databases(request, kind: str) -> PostgresDatabases | None:
    return request.getfixturevalue("postgres_databases") if kind == "postgresql" else None


@pytest.fixture(scope="session")
def live_server(request, store_kind):
    server = LiveServer(db=store_url(store_kind, _databases(request, store_kind), "live"))
    server.session.hooks["response"].append(validate_success_responses)
    yield server
    server.stop()


@pytest.fixture
def server(live_server):
    """The live server, its state back to seed_data/default.json."""
    live_server.reset()
    return live_server


@pytest.fixture
def shared_url(request, store_kind, tmp_path):
    """A database of this test's own that several instances or processes open, as processes sharing
    a store do: a SQLite file, or a PostgreSQL database."""
    if store_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return store_url(store_kind, _databases(request, store_kind), "shared")


@pytest.fixture(scope="session")
def seeded_instance(request, store_kind):
    seed = read_seed_file(DEFAULT_SEED)
    instance = Instance("test", store_url(store_kind, _databases(request, store_kind), "domain"), seed=seed)
    yield instance, seed
    instance.close()  # its background worker stops before its database goes


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
def frozen(clock):
    """The mock's clock stopped at CAMPAIGN_DAY (tests/soap.py)."""
    clock.freeze(CAMPAIGN_DAY)


@pytest.fixture
def trav_test_list(session, clock):
    """Leads 1 and 2 in Trav-Test-List (3002), the smart list of the batch campaigns 2004 and 2007."""
    for lead_id in (1, 2):
        lists.add_to_list(session, clock, session.get(StaticList, 3002), lead_id)


@pytest.fixture
def mktows(server) -> SoapClient:
    """zeep on Marketo's reference WSDL (served WSDL without it), bound to the live server, signing each call."""
    return SoapClient(server)
