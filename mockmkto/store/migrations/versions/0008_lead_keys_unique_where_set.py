"""A lead's ForeignSysPersonId and cookie are unique where set: partial unique indexes in place of the
unique constraints, which held an entry for every lead without them (store/models.py says why).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The keys as store/models.py's UNIQUE_WHERE_SET names them then: a revision keeps its own copy.
KEYS = ("foreign_sys_person_id", "cookie")
# SQLite's constraints have no name (0001 made them inline): named so its copy of the table can leave them out.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # PostgreSQL named them itself
        for key in KEYS:
            op.drop_constraint(f"leads_{key}_key", "leads", type_="unique")
    else:
        with op.batch_alter_table("leads", naming_convention=NAMING) as batch_op:
            for key in KEYS:
                batch_op.drop_constraint(f"uq_leads_{key}", type_="unique")
    for key in KEYS:
        where = sa.column(key).is_not(None)
        op.create_index(f"uq_leads_{key}", "leads", [key], unique=True, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for key in KEYS:
        op.drop_index(f"uq_leads_{key}", table_name="leads")
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("leads") as batch_op:
        for key in KEYS:
            batch_op.create_unique_constraint(f"leads_{key}_key" if postgresql else f"uq_leads_{key}", [key])
