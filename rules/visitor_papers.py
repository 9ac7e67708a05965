"""The visitor's papers behind a slip's QR code: the invoice and receipt PDFs name the buyer, so the phone opens
them only after something the slip does not carry: the last 4 digits of the phone number given on the visit the
request came from. Wrong answers are counted per request; after [privacy] paper_attempts of them the papers lock
for 15 minutes (a thrown-away slip gives 10 000 guesses at most a few a quarter hour)."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlmodel import Session

from clock import utcnow
from models import GuestBookEntry, ProductRequest, Visitor
from rules import throttle
from rules.errors import N_

LOCK = timedelta(minutes=15)
# How long one right answer opens the papers in that browser.
OPEN_FOR = timedelta(minutes=30)


# What a refused answer says (the route answers after committing the count: a refusal must not roll it back).
REFUSALS = {
    "wrong": N_("These are not the last 4 digits of the phone number given when you signed the guest book."),
    "locked": N_("Too many wrong answers. Please try again in 15 minutes."),
}


def phone_of(session: Session, req: ProductRequest) -> str:
    """The phone number given on the visit the request came from (else the person's record), or ''."""
    entry = session.get(GuestBookEntry, req.guestbook_id) if req.guestbook_id else None
    if entry is not None and entry.phone:
        return entry.phone
    visitor = session.get(Visitor, req.visitor_id)
    return visitor.phone if visitor is not None else ""


def check(session: Session, *, req: ProductRequest, digits: str, attempts: int, now: datetime | None = None) -> str:
    """'ok', 'wrong' or 'locked' for an answer, counted in the caller's write transaction (commit it either way)."""
    now = now or utcnow()
    key = f"papers:{req.id}"
    if throttle.blocked(session, key, now=now) is not None:
        return "locked"
    phone = phone_of(session, req)
    answer = "".join(ch for ch in digits or "" if ch.isdigit())
    if len(phone) >= 4 and len(answer) == 4 and hmac.compare_digest(phone[-4:], answer):
        throttle.clear(session, key)
        return "ok"
    if not throttle.hit(session, key, limit=max(attempts - 1, 0), window=LOCK, block=LOCK, now=now):
        return "locked"
    return "wrong"
