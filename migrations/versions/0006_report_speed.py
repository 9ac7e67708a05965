"""Report speed: each ticket's report figures on its row, and one index a report reads alone.

Revision ID: 0006_report_speed
Revises: 0005_merge

A report for a year of a large office read every ticket through the ORM, worked out its times in Python
and looked up each first call's verdict among the events. Now the database sums columns:

* ticket.waiting_us (first call - issue) and ticket.service_us (finish - start, done tickets), in
  microseconds, exactly what the report's definitions say, without parsing times per row (SQLite stores
  them as text);
* ticket.first_call_within: the verdict recorded with the first call (the event keeps it too; the ticket's
  deadline is overwritten by a later call after a transfer or a return from no-show);
* ix_ticket_report_scan: every column a report reads, in the order it groups them.

models._ticket_report_figures keeps the columns in step on every write; this revision fills them for the
history already stored (the same SQL as `python manage.py supervisor reports-refill`, frozen here).
bench/bench_reports.py prints the timings and plans before and after.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_report_speed"
down_revision: str | Sequence[str] | None = "0005_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCAN_INDEX = (
    "ix_ticket_report_scan",
    "ticket",
    [
        "office_id",
        "service_date",
        "issued_service_id",
        "counter_id",
        "officer_id",
        "status",
        "transfer_count",
        "waiting_us",
        "service_us",
        "first_call_within",
        "estimated_wait_minutes",
        "visitor_id",
        "guestbook_id",
        "issued_at",
    ],
)


def _micros(bind, later: str, earlier: str) -> str:
    """SQL for `later - earlier` in whole microseconds, exact on both databases."""
    if bind.dialect.name == "postgresql":
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000) AS BIGINT)"

    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): whole seconds by strftime, the fraction as digits.
    def us(col: str) -> str:
        return (
            f"(CAST(strftime('%s', substr({col}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr(substr({col}, 21) || '000000', 1, 6) AS INTEGER))"
        )

    return f"({us(later)} - {us(earlier)})"


def backfill(bind) -> None:
    """Fill the three columns from the stored times and the first 'called' event of each ticket."""
    true, false = ("TRUE", "FALSE") if bind.dialect.name == "postgresql" else ("1", "0")
    bind.execute(
        sa.text(
            f"UPDATE ticket SET waiting_us = {_micros(bind, 'first_called_at', 'issued_at')} "
            "WHERE first_called_at IS NOT NULL"
        )
    )
    bind.execute(
        sa.text(
            f"UPDATE ticket SET service_us = {_micros(bind, 'finished_at', 'started_at')} "
            "WHERE status = 'done' AND started_at IS NOT NULL AND finished_at IS NOT NULL"
        )
    )
    # rules.tickets.record writes the detail with json.dumps(sort_keys=True): '"within_limit": true'.
    bind.execute(
        sa.text(
            "UPDATE ticket SET first_call_within = ("
            f"  SELECT CASE WHEN e.detail LIKE '%\"within_limit\": true%' THEN {true}"
            f"              WHEN e.detail LIKE '%\"within_limit\": false%' THEN {false} END"
            "   FROM ticketevent e WHERE e.ticket_id = ticket.id AND e.kind = 'called'"
            "   ORDER BY e.at, e.id LIMIT 1) "
            "WHERE first_called_at IS NOT NULL"
        )
    )


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_us", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("service_us", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("first_call_within", sa.Boolean(), nullable=True))
    backfill(op.get_bind())
    name, table, columns = SCAN_INDEX
    op.create_index(name, table, columns)


def downgrade() -> None:
    op.drop_index(SCAN_INDEX[0], table_name=SCAN_INDEX[1])
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch copy of the table: the copy would drop the
    # ticket table that ticket events still reference, which foreign keys refuse.
    for column in ("first_call_within", "service_us", "waiting_us"):
        op.drop_column("ticket", column)
