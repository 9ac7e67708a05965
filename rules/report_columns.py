"""The report columns of a ticket row (waiting_us, service_us, first_call_within) for history written around
the ORM: migration 0006 fills them, every write keeps them in step, and this refills or checks them."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def _micros_sql(dialect: str, later: str, earlier: str) -> str:
    """SQL for `later - earlier` in whole microseconds, exact on both databases."""
    if dialect == "postgresql":
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000) AS BIGINT)"

    def us(col: str) -> str:  # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)
        return (
            f"(CAST(strftime('%s', substr({col}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr(substr({col}, 21) || '000000', 1, 6) AS INTEGER))"
        )

    return f"({us(later)} - {us(earlier)})"


def _recomputed_sql(dialect: str) -> dict[str, str]:
    """Each report column worked out again from the ticket's times and its first 'called' event."""
    true, false = ("TRUE", "FALSE") if dialect == "postgresql" else ("1", "0")
    return {
        "waiting_us": (
            f"CASE WHEN first_called_at IS NOT NULL THEN {_micros_sql(dialect, 'first_called_at', 'issued_at')} END"
        ),
        "service_us": (
            f"CASE WHEN status = 'done' AND started_at IS NOT NULL AND finished_at IS NOT NULL "
            f"THEN {_micros_sql(dialect, 'finished_at', 'started_at')} END"
        ),
        # rules.tickets.record writes the detail with json.dumps(sort_keys=True): '"within_limit": true'.
        "first_call_within": (
            "CASE WHEN first_called_at IS NOT NULL THEN ("
            f"SELECT CASE WHEN e.detail LIKE '%\"within_limit\": true%' THEN {true} "
            f"WHEN e.detail LIKE '%\"within_limit\": false%' THEN {false} END "
            "FROM ticketevent e WHERE e.ticket_id = ticket.id AND e.kind = 'called' ORDER BY e.at, e.id LIMIT 1) END"
        ),
    }


def refill_report_columns(session: Session, *, check_only: bool = False) -> dict[str, int]:
    """Tickets whose report columns differ from their times and events, per column; fixed unless check_only."""
    dialect = session.get_bind().dialect.name
    out = {}
    for column, expr in _recomputed_sql(dialect).items():
        differs = f"{column} IS DISTINCT FROM ({expr})" if dialect == "postgresql" else f"{column} IS NOT ({expr})"
        out[column] = session.execute(text(f"SELECT count(*) FROM ticket WHERE {differs}")).scalar_one()
        if out[column] and not check_only:
            session.execute(text(f"UPDATE ticket SET {column} = ({expr}) WHERE {differs}"))
    return out
