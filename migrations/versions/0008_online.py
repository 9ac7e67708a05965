"""The online channel: requests without a ticket, the working-day clock, shipping, uploads, special days and the
e-mail outbox.

Revision ID: 0008_online
Revises: 0007_printing_queue

* productrequest: channel, language, e-mail confirmation, clear-and-complete time, the clock's pauses, the
  served verdict (with an index the report reads alone), shipping, how the signed SPPD came in;
* payment: method (billing code or a transfer from abroad) and the transfer's proof;
* requestupload: files uploaded for a request (the bytes live under instance/uploads/);
* specialday: closures and shortened days of an office (the kiosk and the working-day clock read them);
* mailmessage, mailattachment, mailworkerlease: the durable outbox and its worker's lease.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_online"
down_revision: str | Sequence[str] | None = "0007_printing_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "requestupload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=24), nullable=False),
        sa.Column("filename", S(length=200), nullable=False),
        sa.Column("content_type", S(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", S(length=64), nullable=False),
        sa.Column("stored_name", S(length=100), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_visitor", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["productrequest.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    op.create_index(op.f("ix_requestupload_request_id"), "requestupload", ["request_id"])
    op.create_table(
        "specialday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("opens", S(length=5), nullable=False),
        sa.Column("closes", S(length=5), nullable=False),
        sa.Column("note", S(length=200), nullable=False),
        sa.Column("note_en", S(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "day"),
    )
    op.create_index(op.f("ix_specialday_office_id"), "specialday", ["office_id"])
    op.create_table(
        "mailmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("kind", S(length=32), nullable=False),
        sa.Column("to_addr", S(length=254), nullable=False),
        sa.Column("subject", S(length=300), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("language", S(length=5), nullable=False),
        sa.Column("message_id", S(length=200), nullable=False),
        sa.Column("status", S(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_error", S(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sending_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["productrequest.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_mailmessage_due", "mailmessage", ["status", "id"])
    op.create_index(op.f("ix_mailmessage_office_id"), "mailmessage", ["office_id"])
    op.create_index(op.f("ix_mailmessage_request_id"), "mailmessage", ["request_id"])
    op.create_table(
        "mailattachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", S(length=200), nullable=False),
        sa.Column("content_type", S(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["mailmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_mailattachment_message_id"), "mailattachment", ["message_id"])
    op.create_table(
        "mailworkerlease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", S(length=200), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("productrequest") as b:
        b.add_column(sa.Column("channel", S(length=16), server_default="counter", nullable=False))
        b.add_column(sa.Column("language", S(length=5), server_default="id", nullable=False))
        b.add_column(sa.Column("email_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        b.add_column(sa.Column("clear_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        b.add_column(sa.Column("clock_pauses", sa.Text(), server_default="[]", nullable=False))
        b.add_column(sa.Column("served_days", sa.Integer(), nullable=True))
        b.add_column(sa.Column("served_within", sa.Boolean(), nullable=True))
        b.add_column(sa.Column("shipping_fee", sa.Integer(), server_default="0", nullable=False))
        b.add_column(sa.Column("shipping_note", S(length=300), server_default="", nullable=False))
        b.add_column(sa.Column("sppd_received_how", S(length=16), server_default="", nullable=False))
        b.create_index("ix_productrequest_office_delivered", ["office_id", "delivered_at", "served_within"])
    with op.batch_alter_table("payment") as b:
        b.add_column(sa.Column("method", S(length=16), server_default="billing", nullable=False))
        b.add_column(sa.Column("upload_id", sa.Integer(), nullable=True))
        b.create_foreign_key("fk_payment_upload_id", "requestupload", ["upload_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("payment") as b:
        b.drop_constraint("fk_payment_upload_id", type_="foreignkey")
        b.drop_column("upload_id")
        b.drop_column("method")
    with op.batch_alter_table("productrequest") as b:
        b.drop_index("ix_productrequest_office_delivered")
        for col in (
            "sppd_received_how",
            "shipping_note",
            "shipping_fee",
            "served_within",
            "served_days",
            "clock_pauses",
            "clear_at",
            "email_confirmed_at",
            "language",
            "channel",
        ):
            b.drop_column(col)
    op.drop_table("mailworkerlease")
    op.drop_index(op.f("ix_mailattachment_message_id"), table_name="mailattachment")
    op.drop_table("mailattachment")
    op.drop_index(op.f("ix_mailmessage_request_id"), table_name="mailmessage")
    op.drop_index(op.f("ix_mailmessage_office_id"), table_name="mailmessage")
    op.drop_index("ix_mailmessage_due", table_name="mailmessage")
    op.drop_table("mailmessage")
    op.drop_index(op.f("ix_specialday_office_id"), table_name="specialday")
    op.drop_table("specialday")
    op.drop_index(op.f("ix_requestupload_request_id"), table_name="requestupload")
    op.drop_table("requestupload")
