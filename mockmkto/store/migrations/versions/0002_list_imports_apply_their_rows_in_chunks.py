"""List imports apply their rows in chunks: the rows waiting, each import's header and failures so far.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_import_rows",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["list_imports.id"]),
        sa.PrimaryKeyConstraint("import_id", "number"),
    )
    # Imports made before had all their rows applied: no header to read again, no failures kept. The
    # server defaults fill their rows only; the models set both on insert.
    with op.batch_alter_table("list_imports") as batch_op:
        batch_op.add_column(sa.Column("header", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("failures", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("list_imports") as batch_op:
        batch_op.alter_column("header", server_default=None)
        batch_op.alter_column("failures", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("list_imports") as batch_op:
        batch_op.drop_column("failures")
        batch_op.drop_column("header")
    op.drop_table("list_import_rows")
