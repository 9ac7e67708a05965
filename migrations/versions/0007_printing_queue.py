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
    with op.batch_alter_table("printerstate") as batch:
        batch.add_column(sa.Column("responding", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("failing_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("office") as batch:
        batch.add_column(
            sa.Column("config_sha", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.drop_column("config_sha")
    with op.batch_alter_table("printerstate") as batch:
        batch.drop_column("failing_since")
        batch.drop_column("responding")
