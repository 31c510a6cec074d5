"""Texts a client, seed or admin request gives lose their length (store/models.py says why).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, column, length it had, nullable)
UNBOUNDED = [
    ("users", "user_id", 255, False),
    ("users", "secret", 255, False),
    ("workspaces", "name", 255, False),
    ("partitions", "name", 255, False),
    ("assignment_rules", "attr_name", 255, False),
    ("lead_fields", "name", 255, False),
    ("lead_fields", "display_name", 255, False),
    ("leads", "email", 255, True),
    ("leads", "foreign_sys_person_id", 255, True),
    ("leads", "cookie", 255, True),
    ("leads", "sfdc_lead_id", 64, True),
    ("leads", "sfdc_contact_id", 64, True),
    ("leads", "sfdc_account_id", 64, True),
    ("leads", "sfdc_lead_owner_id", 64, True),
    ("leads", "sfdc_oppty_id", 64, True),
    ("leads", "lead_owner_email", 255, True),
    ("activities", "activity_type", 64, False),
    ("activities", "asset_name", 255, True),
    ("activities", "campaign", 255, True),
    ("programs", "name", 255, False),
    ("campaigns", "name", 255, False),
    ("static_lists", "name", 255, False),
    ("tag_types", "name", 255, False),
    ("channels", "name", 255, False),
    ("program_tags", "tag_type", 255, False),
    ("program_tags", "value", 255, False),
    ("mobject_fields", "name", 255, False),
    ("mobject_fields", "display_name", 255, False),
    ("companies", "name", 255, False),
    ("custom_object_types", "name", 255, False),
    ("custom_object_types", "link_field", 255, False),
    ("custom_object_types", "lead_link_field", 255, False),
    ("custom_object_records", "type_name", 255, False),  # its type follows custom_object_types.name
    ("custom_object_records", "key", 1024, False),
    ("injected_faults", "operation", 64, True),
    ("journal", "user_id", 255, True),
    ("journal", "workspace", 255, True),
]


def _alter(bounded: bool) -> None:
    # PostgreSQL only: SQLite never held a text to its declared length, so its tables need not be
    # copied for it (what SQLite reads as the type is the same affinity either way). On PostgreSQL
    # varchar(n) to varchar rewrites neither a table nor an index.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in UNBOUNDED:
        to, before = (sa.String(length=length), sa.String()) if bounded else (sa.String(), sa.String(length=length))
        op.alter_column(table, column, type_=to, existing_type=before, existing_nullable=nullable)


def upgrade() -> None:
    _alter(bounded=False)


def downgrade() -> None:
    _alter(bounded=True)
