"""A lead's SFDC ids and lead owner email are indexed only where they are set (store/models.py says why).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The keys as store/models.py's SPARSE_KEYS names them then: a revision keeps its own copy.
SPARSE_KEYS = (
    "sfdc_lead_id",
    "sfdc_contact_id",
    "sfdc_account_id",
    "sfdc_lead_owner_id",
    "sfdc_oppty_id",
    "lead_owner_email",
)


def _index(where_set: bool) -> None:
    for key in SPARSE_KEYS:
        name = f"ix_leads_{key}"
        where = sa.column(key).is_not(None) if where_set else None
        op.drop_index(name, table_name="leads")
        op.create_index(name, "leads", [key], unique=False, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    _index(where_set=True)


def downgrade() -> None:
    _index(where_set=False)
