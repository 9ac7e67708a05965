"""A ticket number is unique per day within the service that issued it, not the queue it is in now.

Revision ID: 0001b_ticket_number
Revises: 0001

0001 made (office_id, service_id, service_date, number) unique, but service_id changes when a visitor is
transferred: B-001 moved into the consultation queue collided with K-001 and the transfer failed. The
number belongs to issued_service_id (its prefix), so that is what the constraint now covers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001b_ticket_number"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ["office_id", "service_id", "service_date", "number"]
NEW = ["office_id", "issued_service_id", "service_date", "number"]
NEW_NAME = "uq_ticket_number_of_day"
# SQLite keeps 0001's constraint unnamed; batch mode names it by this convention so it can be dropped.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _name_of(columns: list[str]) -> str | None:
    for uc in sa.inspect(op.get_bind()).get_unique_constraints("ticket"):
        if list(uc["column_names"]) == columns:
            return uc["name"]
    return None


def _swap(drop: list[str], create: list[str], create_name: str | None) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Batch mode copies the table and drops the old one, which fails while events point at tickets.
        # SQLite's own procedure for rebuilding a referenced table (sqlite.org/lang_altertable.html, "other
        # kinds of table schema changes"): foreign keys off outside a transaction, rebuild, check, commit.
        # The migration connection is thrown away afterwards, so the pragma goes with it.
        bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        bind.exec_driver_sql("BEGIN IMMEDIATE")
        with op.batch_alter_table("ticket", naming_convention=SQLITE_NAMES) as batch_op:
            batch_op.drop_constraint(_name_of(drop) or "uq_ticket_" + "_".join(drop), type_="unique")
            batch_op.create_unique_constraint(create_name or "uq_ticket_" + "_".join(create), create)
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by rebuilding ticket: {broken[:5]}")
    else:
        op.drop_constraint(_name_of(drop), "ticket", type_="unique")
        op.create_unique_constraint(create_name or "ticket_" + "_".join(create) + "_key", "ticket", create)


def upgrade() -> None:
    _swap(OLD, NEW, NEW_NAME)


def downgrade() -> None:
    _swap(NEW, OLD, None)
