"""Activities lose their index on (lead_id, activity_type): the one on lead_id serves every read.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_activities_lead_type", table_name="activities")


def downgrade() -> None:
    op.create_index("ix_activities_lead_type", "activities", ["lead_id", "activity_type"], unique=False)
