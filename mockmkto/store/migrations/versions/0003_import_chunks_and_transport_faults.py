"""Waiting import rows kept a chunk to a row; transport faults (injected, and journalled).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An import waiting when the database is upgraded loses its remaining rows: imports take seconds,
    # and `db upgrade` is run with the servers stopped.
    op.create_table(
        "list_import_chunks",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["list_imports.id"]),
        sa.PrimaryKeyConstraint("import_id", "number"),
    )
    op.drop_table("list_import_rows")
    with op.batch_alter_table("injected_faults", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transport", sa.String(length=16), nullable=True))
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transport", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_column("transport")
    with op.batch_alter_table("injected_faults", schema=None) as batch_op:
        batch_op.drop_column("transport")
    op.create_table(
        "list_import_rows",
        sa.Column("import_id", sa.INTEGER(), nullable=False),
        sa.Column("number", sa.INTEGER(), nullable=False),
        sa.Column("line", sa.TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["list_imports.id"]),
        sa.PrimaryKeyConstraint("import_id", "number"),
    )
    op.drop_table("list_import_chunks")
