"""Reports: indexes for report queries on years of history, and the wait estimate given at issue.

Revision ID: 0004_reports
Revises: 0001

Only the supervisor's own additions: ticket.estimated_wait_minutes (nullable: tickets issued before this
revision, or not at the kiosk, have none) and the indexes the report queries use. The period scan itself
uses ix_ticket_office_day from 0001; bench/bench_reports.py prints the plans and timings with and without.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_reports"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name, table, columns. A report for one counter or officer over a year reads only that slice: the filter
# column comes before the date range so the range is one index scan. (One service's report already has
# that shape in the unique key of 0001b: office_id, issued_service_id, service_date, number.)
INDEXES = (
    ("ix_ticket_report_counter", "ticket", ["office_id", "counter_id", "service_date"]),
    ("ix_ticket_report_officer", "ticket", ["office_id", "officer_id", "service_date"]),
    # First-call verdicts read one kind of event in a time range: kind before at makes that a range scan
    # instead of reading every event of the period (four or more per ticket).
    ("ix_ticketevent_office_kind_at", "ticketevent", ["office_id", "kind", "at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("estimated_wait_minutes", sa.Integer(), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("estimated_wait_minutes")
