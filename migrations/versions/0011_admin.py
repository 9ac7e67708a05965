"""Running an office from the browser: the office's complaint channels, opening hours and holiday settings in
the database (seeded from config.toml), a number raised by every set-up change, and the audit of changes.

Revision ID: 0011_admin
Revises: 0010_privacy

* office.complaints_json, office.hours_json: JSON; empty until the office is synced again (config.toml holds);
* office.observe_public_holidays, office.observe_cuti_bersama, office.setup_version;
* audit_entry (models/office.py): who changed what in the set-up, when, before and after.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_admin"
down_revision: str | Sequence[str] | None = "0010_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
UTC = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    """Add the office's columns and the audit table."""
    op.add_column("office", sa.Column("complaints_json", sa.Text(), nullable=False, server_default=""))
    op.add_column("office", sa.Column("hours_json", sa.Text(), nullable=False, server_default=""))
    op.add_column("office", sa.Column("observe_public_holidays", sa.Boolean(), nullable=False, server_default="1"))
    op.add_column("office", sa.Column("observe_cuti_bersama", sa.Boolean(), nullable=False, server_default="1"))
    op.add_column("office", sa.Column("setup_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", S(length=64), nullable=False),
        sa.Column("entity", S(length=24), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("action", S(length=24), nullable=False),
        sa.Column("summary", S(length=200), nullable=False),
        sa.Column("before", sa.Text(), server_default="{}", nullable=False),
        sa.Column("after", sa.Text(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_office_at", "audit_entry", ["office_id", "at"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_audit_entry_office_at", table_name="audit_entry")
    op.drop_table("audit_entry")
    for name in ("setup_version", "observe_cuti_bersama", "observe_public_holidays", "hours_json", "complaints_json"):
        op.drop_column("office", name)
