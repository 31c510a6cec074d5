"""The schema as it was when mockmkto began numbering its revisions (every table, on SQLite and PostgreSQL).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("activity_type", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("asset_name", sa.String(length=255), nullable=True),
        sa.Column("campaign", sa.String(length=255), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_activities_created_at"), "activities", ["created_at"], unique=False)
    op.create_index(op.f("ix_activities_lead_id"), "activities", ["lead_id"], unique=False)
    op.create_index("ix_activities_lead_type", "activities", ["lead_id", "activity_type"], unique=False)
    op.create_table(
        "channels",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "custom_object_types",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("key_fields", sa.JSON(), nullable=False),
        sa.Column("link_field", sa.String(length=255), nullable=False),
        sa.Column("lead_link_field", sa.String(length=255), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "injected_faults",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=True),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("delay_ms", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "instance_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("clock_frozen_at", sa.DateTime(), nullable=True),
        sa.Column("clock_offset_us", sa.BigInteger(), nullable=False),
        sa.Column("quotas_enabled", sa.Boolean(), nullable=False),
        sa.Column("quota_daily", sa.Integer(), nullable=False),
        sa.Column("quota_rate", sa.Integer(), nullable=False),
        sa.Column("quota_rate_window_seconds", sa.Integer(), nullable=False),
        sa.Column("quota_concurrency", sa.Integer(), nullable=False),
        sa.Column("active_faults", sa.Integer(), nullable=False),
        sa.Column("fault_draws", sa.Integer(), nullable=False),
        sa.Column("next_fault_id", sa.Integer(), nullable=False),
        sa.Column("journal_first_id", sa.Integer(), nullable=False),
        sa.Column("next_journal_id", sa.Integer(), nullable=False),
        sa.Column("journal_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("workspace", sa.String(length=255), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("fault_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("request", sa.LargeBinary(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_journal_operation", "journal", ["operation"], unique=False)
    op.create_table(
        "lead_fields",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("is_custom", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "mobject_fields",
        sa.Column("mobject_type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("mobject_type", "name"),
    )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("program_type", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("tokens", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "quota_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_quota_calls_at"), "quota_calls", ["at"], unique=False)
    op.create_table(
        "settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "tag_types",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("primary_partition_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("campaign_type", sa.String(length=16), nullable=False),
        sa.Column("requestable_from", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("program_id", "name"),
    )
    op.create_table(
        "custom_object_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type_name", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["type_name"],
            ["custom_object_types.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("type_name", "key"),
    )
    op.create_index(op.f("ix_custom_object_records_type_name"), "custom_object_records", ["type_name"], unique=False)
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_opportunities_company_id"), "opportunities", ["company_id"], unique=False)
    op.create_table(
        "partitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "program_clones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_program_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("cloned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_program_clones_cloned_at"), "program_clones", ["cloned_at"], unique=False)
    op.create_table(
        "program_costs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_program_costs_program_id"), "program_costs", ["program_id"], unique=False)
    op.create_table(
        "program_tags",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("tag_type", sa.String(length=255), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
        ),
        sa.PrimaryKeyConstraint("program_id", "tag_type"),
    )
    op.create_table(
        "static_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "assignment_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attr_name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("partition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partition_id"],
            ["partitions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "campaign_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tokens", sa.JSON(), nullable=False),
        sa.Column("requested_lead_ids", sa.JSON(), nullable=True),
        sa.Column("cloned_from_program_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_campaign_runs_campaign_id"), "campaign_runs", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_campaign_runs_run_at"), "campaign_runs", ["run_at"], unique=False)
    op.create_index(op.f("ix_campaign_runs_status"), "campaign_runs", ["status"], unique=False)
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("foreign_sys_person_id", sa.String(length=255), nullable=True),
        sa.Column("foreign_sys_type", sa.String(length=16), nullable=True),
        sa.Column("cookie", sa.String(length=255), nullable=True),
        sa.Column("sfdc_lead_id", sa.String(length=64), nullable=True),
        sa.Column("sfdc_contact_id", sa.String(length=64), nullable=True),
        sa.Column("sfdc_account_id", sa.String(length=64), nullable=True),
        sa.Column("sfdc_lead_owner_id", sa.String(length=64), nullable=True),
        sa.Column("sfdc_oppty_id", sa.String(length=64), nullable=True),
        sa.Column("lead_owner_email", sa.String(length=255), nullable=True),
        sa.Column("partition_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partition_id"],
            ["partitions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cookie"),
        sa.UniqueConstraint("foreign_sys_person_id"),
    )
    op.create_index(op.f("ix_leads_email"), "leads", ["email"], unique=False)
    op.create_index(op.f("ix_leads_lead_owner_email"), "leads", ["lead_owner_email"], unique=False)
    op.create_index(op.f("ix_leads_sfdc_account_id"), "leads", ["sfdc_account_id"], unique=False)
    op.create_index(op.f("ix_leads_sfdc_contact_id"), "leads", ["sfdc_contact_id"], unique=False)
    op.create_index(op.f("ix_leads_sfdc_lead_id"), "leads", ["sfdc_lead_id"], unique=False)
    op.create_index(op.f("ix_leads_sfdc_lead_owner_id"), "leads", ["sfdc_lead_owner_id"], unique=False)
    op.create_index(op.f("ix_leads_sfdc_oppty_id"), "leads", ["sfdc_oppty_id"], unique=False)
    op.create_index(op.f("ix_leads_updated_at"), "leads", ["updated_at"], unique=False)
    op.create_table(
        "list_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("clear_list", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_failed", sa.Integer(), nullable=False),
        sa.Column("rows_ignored", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["static_lists.id"],
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_list_imports_list_id"), "list_imports", ["list_id"], unique=False)
    op.create_table(
        "list_members",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["static_lists.id"],
        ),
        sa.PrimaryKeyConstraint("list_id", "lead_id"),
    )
    op.create_table(
        "opportunity_person_roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_opportunity_person_roles_opportunity_id"), "opportunity_person_roles", ["opportunity_id"], unique=False
    )
    op.create_index(
        op.f("ix_opportunity_person_roles_person_id"), "opportunity_person_roles", ["person_id"], unique=False
    )
    op.create_table(
        "smart_campaign_definitions",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("smart_list", sa.JSON(), nullable=False),
        sa.Column("flow", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
        ),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    op.create_table(
        "campaign_run_leads",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["campaign_runs.id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "lead_id"),
    )
    op.create_table(
        "imported_lead_tokens",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["list_imports.id"],
        ),
        sa.PrimaryKeyConstraint("campaign_id", "lead_id"),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes.
    op.drop_table("imported_lead_tokens")
    op.drop_table("campaign_run_leads")
    op.drop_table("smart_campaign_definitions")
    op.drop_table("opportunity_person_roles")
    op.drop_table("list_members")
    op.drop_table("list_imports")
    op.drop_table("leads")
    op.drop_table("campaign_runs")
    op.drop_table("assignment_rules")
    op.drop_table("static_lists")
    op.drop_table("program_tags")
    op.drop_table("program_costs")
    op.drop_table("program_clones")
    op.drop_table("partitions")
    op.drop_table("opportunities")
    op.drop_table("custom_object_records")
    op.drop_table("campaigns")
    op.drop_table("workspaces")
    op.drop_table("users")
    op.drop_table("tag_types")
    op.drop_table("settings")
    op.drop_table("quota_calls")
    op.drop_table("programs")
    op.drop_table("mobject_fields")
    op.drop_table("lead_fields")
    op.drop_table("journal")
    op.drop_table("instance_state")
    op.drop_table("injected_faults")
    op.drop_table("custom_object_types")
    op.drop_table("companies")
    op.drop_table("channels")
    op.drop_table("activities")
