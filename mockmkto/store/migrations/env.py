"""Alembic's entry to the revisions: they run on the connection `mockmkto.store.migrations` hands over,
in its transaction."""

from alembic import context

from mockmkto.store import db  # noqa: F401  (declares every table on Base)
from mockmkto.store.models import Base
from mockmkto.store.schema import VERSION_TABLE

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE.name,
    # SQLite alters a table by copying it: autogenerate writes such changes as batch operations.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
