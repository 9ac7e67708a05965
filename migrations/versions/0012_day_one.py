"""Day one (issue 15): the satisfaction survey covers every service.

Revision ID: 0012_day_one
Revises: 0011_admin

* rating.request_id may be empty: a visit without a paid request (a consultation, the library) is rated by its
  ticket, rating.ticket_id (one rating per ticket);
* rating.service_id: the service the IKM is counted for; earlier ratings get their request's ticket's service.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_day_one"
down_revision: str | Sequence[str] | None = "0011_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Rebuild rating with the two new columns (SQLite cannot relax NOT NULL in place), then fill service_id."""
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.alter_column("request_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("service_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_rating_ticket_id", ["ticket_id"])
        batch_op.create_foreign_key("fk_rating_ticket_id", "ticket", ["ticket_id"], ["id"])
        batch_op.create_foreign_key("fk_rating_service_id", "service", ["service_id"], ["id"])
    op.execute(
        "UPDATE rating SET service_id = (SELECT ticket.service_id FROM productrequest JOIN ticket "
        "ON ticket.id = productrequest.ticket_id WHERE productrequest.id = rating.request_id) "
        "WHERE request_id IS NOT NULL"
    )


def downgrade() -> None:
    """Ratings of visits without a request cannot live in the old table: they are dropped."""
    op.execute("DELETE FROM rating WHERE request_id IS NULL")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_constraint("fk_rating_service_id", type_="foreignkey")
        batch_op.drop_constraint("fk_rating_ticket_id", type_="foreignkey")
        batch_op.drop_constraint("uq_rating_ticket_id", type_="unique")
        batch_op.drop_column("service_id")
        batch_op.drop_column("ticket_id")
        batch_op.alter_column("request_id", existing_type=sa.Integer(), nullable=False)
