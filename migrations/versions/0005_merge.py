"""one head after the parallel feature migrations

Revision ID: 0005_merge
Revises: 0001b_ticket_number, 0002_printing, 0003_requests, 0004_reports
Create Date: 2026-11-29 03:59:10.636755

"""

from collections.abc import Sequence

import sqlmodel  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0005_merge"
down_revision: str | Sequence[str] | None = ("0001b_ticket_number", "0002_printing", "0003_requests", "0004_reports")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
