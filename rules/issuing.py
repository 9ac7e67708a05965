"""Taking a number at the kiosk: whether the unit is open now, the guest-book line and the ticket, and the wait
promised to the visitor (kept on the ticket so reports can check the promise against the real wait)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from clock import business_day, utcnow
from models import Office, Service, Ticket
from rules import guestbook, lines, special_days
from rules.errors import N_, RuleError
from rules.estimate import estimated_wait_minutes
from rules.opening import Opening, opening
from settings import Settings

CLOSED_MESSAGES = {
    "holiday": N_("The PST unit is closed today (%(holiday)s)."),
    "closed_day": N_("The PST unit is closed today."),
    "closure": N_("The PST unit is closed today: %(holiday)s"),
    "before_hours": N_("The PST unit opens at %(opens)s."),
    "after_hours": N_("The PST unit has closed for today (open until %(closes)s)."),
}


class Closed(RuleError):
    """No number can be taken now; `state` says why (the holiday's name is given in each screen language)."""

    def __init__(self, state: Opening):
        super().__init__(
            "closed", CLOSED_MESSAGES[state.reason], holiday=state.holiday_name, opens=state.opens, closes=state.closes
        )
        self.state = state


@dataclass
class Issued:
    """What the kiosk shows after issuing: the ticket, its service, the people ahead and the estimate."""

    ticket: Ticket
    service: Service
    ahead: int
    estimate_minutes: int | None


def take_number(
    session: Session, *, office: Office, form: guestbook.GuestBookForm, settings: Settings, now: datetime | None = None
) -> Issued:
    """Sign the guest book and take a number, in the caller's write transaction; refused while closed."""
    now = now or utcnow()
    state = opening(now, settings, special_days.on(session, office.id, business_day(now, settings.tz)))
    if not state.open:
        raise Closed(state)
    ticket = guestbook.sign_and_take_ticket(session, office=office, form=form, now=now)
    service = session.get(Service, ticket.service_id)  # in the session already: no second SELECT
    ahead = lines.people_ahead(session, ticket)
    wait = estimated_wait_minutes(
        session,
        office_id=office.id,
        service_id=ticket.service_id,
        ahead=ahead,
        default_minutes=settings.app.default_service_minutes,
        now=now,
    )
    ticket.estimated_wait_minutes = wait
    session.add(ticket)
    return Issued(ticket=ticket, service=service, ahead=ahead, estimate_minutes=wait)
