"""A lead's partition and a list member's list are no foreign keys (store/models.py says why).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (table, column, referred table): the constraints 0001 made without a name, named here as
# `NAMING` names them, so SQLite's copy of each table can leave them out.
REFERENCES = [("leads", "partition_id", "partitions"), ("list_members", "list_id", "static_lists")]
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _name(table: str, column: str, referred: str) -> str:
    return f"fk_{table}_{column}_{referred}"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, column, referred in REFERENCES:
        if postgresql:  # PostgreSQL named them itself
            op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")
            continue
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(_name(table, column, referred), type_="foreignkey")


def downgrade() -> None:
    for table, column, referred in REFERENCES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_foreign_key(_name(table, column, referred), referred, [column], ["id"])
