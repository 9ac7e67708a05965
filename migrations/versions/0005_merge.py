"""one head after the parallel feature migrations

Revision ID: 0005_merge
Revises: 0001b_ticket_number, 0002_printing, 0003_requests, 0004_reports
Create Date: 2026-11-29 03:59:10.636755

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0005_merge'
down_revision: Union[str, Sequence[str], None] = ('0001b_ticket_number', '0002_printing', '0003_requests', '0004_reports')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
