"""Printing queue per printer, and a quick restart: what the print worker knows of each printer, and the
fingerprint of the configuration an office was loaded from.

Revision ID: 0007_printing_queue
Revises: 0006_report_speed

* printerstate.responding: False when the printer takes the connection but does not answer its status
  query (hung), shown on the printers page and the supervisor's view;
* printerstate.failing_since: when its current outage began;
* office.config_sha: the fingerprint of the [office], [[services]] and [[counters]] sections the office was
  last brought in line with, so `manage.py seed-demo` at each start is a no-op when nothing changed.

The new job status 'unconfirmed' (sent, but the printer did not confirm it) needs no schema change: status
is a short string column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_printing_queue"
down_revision: str | Sequence[str] | None = "0006_report_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("printerstate", sa.Column("responding", sa.Boolean(), nullable=True))
    op.add_column("printerstate", sa.Column("failing_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column(
        "office",
        sa.Column("config_sha", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""),
    )


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch copy of the table: the copy would drop the
    # office table that every office-owned row references, which foreign keys refuse.
    op.drop_column("office", "config_sha")
    op.drop_column("printerstate", "failing_since")
    op.drop_column("printerstate", "responding")
