"""Personal data (UU 27/2022): what each visit typed, the consent version, erasure marks, the access log, the
rights actions, the daily purge's run and attempt counters.

Revision ID: 0010_privacy
Revises: 0009_security

* guestbookentry gets what the visitor typed on that visit (the kiosk no longer writes a stored person's
  identity) and the consent text's version; earlier visits keep blank typed fields (what was typed then is
  not known: the kiosk overwrote the person's row) and the version of the text shown before versioning,
  "pdp-1" (data/consent/pdp-1.toml);
* visitor.erased_at and guestbookentry.identity_erased_at mark erased or anonymised identities;
* accesslog, privacyaction, scheduledrun, throttle (models/privacy.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_privacy"
down_revision: str | Sequence[str] | None = "0009_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
UTC = sqlmodel.sql.sqltypes.UTCDateTime
TYPED = (
    ("name", 120),
    ("email", 254),
    ("phone", 20),
    ("gender", 1),
    ("education", 32),
    ("occupation", 32),
    ("institution_category", 32),
    ("institution_name", 200),
    ("consent_version", 32),
)


def upgrade() -> None:
    """Add the columns, fill the consent version of earlier visits, create the tables."""
    # Plain ADD/DROP COLUMN (SQLite 3.35+ has both): no table is rebuilt, so the tickets referring to these rows
    # keep their foreign keys.
    op.add_column("visitor", sa.Column("erased_at", UTC(), nullable=True))
    for name, length in TYPED:
        op.add_column("guestbookentry", sa.Column(name, S(length=length), nullable=False, server_default=""))
    op.add_column("guestbookentry", sa.Column("birth_year", sa.Integer(), nullable=True))
    op.add_column("guestbookentry", sa.Column("identity_erased_at", UTC(), nullable=True))
    op.execute("UPDATE guestbookentry SET consent_version = 'pdp-1'")

    op.create_table(
        "accesslog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", S(length=24), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("ref", S(length=64), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitor.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accesslog_office_at", "accesslog", ["office_id", "at"])
    op.create_index("ix_accesslog_visitor_at", "accesslog", ["visitor_id", "at"])
    op.create_index("ix_accesslog_user_at", "accesslog", ["user_id", "at"])
    op.create_table(
        "privacyaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("kind", S(length=24), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", S(length=500), nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitor.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacyaction_office_id", "privacyaction", ["office_id"])
    op.create_index("ix_privacyaction_visitor_at", "privacyaction", ["visitor_id", "at"])
    op.create_table(
        "scheduledrun",
        sa.Column("name", S(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("holder", S(length=200), nullable=False),
        sa.Column("started_at", UTC(), nullable=True),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "throttle",
        sa.Column("key", S(length=128), nullable=False),
        sa.Column("window_start", UTC(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("blocked_until", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("throttle")
    op.drop_table("scheduledrun")
    op.drop_index("ix_privacyaction_visitor_at", table_name="privacyaction")
    op.drop_index("ix_privacyaction_office_id", table_name="privacyaction")
    op.drop_table("privacyaction")
    for name in ("ix_accesslog_user_at", "ix_accesslog_visitor_at", "ix_accesslog_office_at"):
        op.drop_index(name, table_name="accesslog")
    op.drop_table("accesslog")
    for name in [n for n, _length in TYPED] + ["birth_year", "identity_erased_at"]:
        op.drop_column("guestbookentry", name)
    op.drop_column("visitor", "erased_at")
