"""A random history of several office days, made step by step through the rules the screens use.

Three counters (counter 1: penjualan + konsultasi, 2: penjualan, 3: konsultasi + perpustakaan) with officers
who sometimes take over each other's counter; visitors who come back with a changed profile; every action
of the counter screen, tried at random moments (fractions of a minute, so times carry microseconds) and
simply refused by the rules when it does not apply: issue (with or without the guest book, an estimate,
priority), call, recall, start, finish, no-show, return from no-show, transfer, cancel. Tickets left open
at the end of a day are closed by the next morning's first call at their counter. What the rules refuse
is not counted; what they accept is the history.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import select

from models import Counter, Ticket, TicketStatus, User
from rules import tickets, users
from rules.errors import RuleError
from rules.guestbook import EDUCATION, INSTITUTION_CATEGORIES, OCCUPATIONS, PURPOSES
from tests import factories
from tests.supervisor.timeline import DAY, Timeline

SERVICES = ("penjualan", "konsultasi", "perpustakaan")
OFFICERS = ("petugas1", "petugas2", "petugas3")
# Private-sector categories are left out (they once needed an NPWP at the guest book; the figures assume none).
CATEGORIES = tuple(c for c in INSTITUTION_CATEGORIES if c not in ("private", "state_enterprise"))


def _profile(rnd: random.Random) -> dict:
    return dict(
        institution_category=rnd.choice(CATEGORIES),
        education=rnd.choice(EDUCATION),
        occupation=rnd.choice(OCCUPATIONS),
        purpose=rnd.choice(PURPOSES),
        purpose_note="data inflasi",
    )


def random_history(db, *, days: int = 3, per_day: int = 30, seed: int = 5) -> dict:
    """Make the history; returns how many times each action was accepted."""
    rnd = random.Random(seed)
    with db.write() as s:
        office = factories.office(s)
        if s.exec(select(User).where(User.username == "petugas3")).first() is None:
            users.create_user(
                s,
                office_id=office.id,
                username="petugas3",
                name="Petugas Tiga",
                role="officer",
                password="petugas3-demo",
                enforce_policy=False,
            )
    done: dict[str, int] = {}
    for d in range(days):
        t = Timeline(db, day_offset=d)
        m = rnd.uniform(0, 3)
        for number, officer in zip((1, 2, 3), OFFICERS):
            t.open(m, number, officer)
        issued = 0
        for _step in range(per_day * 5):
            m += rnd.choice((0.0, rnd.uniform(0.01, 0.5), rnd.uniform(0.5, 4)))
            action = rnd.choices(
                ("issue", "call", "start", "finish", "recall", "no_show", "restore", "transfer", "cancel", "takeover"),
                weights=(8 if issued < per_day else 0, 7, 5, 4, 1, 1.5, 1, 1.5, 1, 0.3),
            )[0]
            try:
                if _act(db, t, rnd, action, m):
                    done[action] = done.get(action, 0) + 1
                    issued += action == "issue"
            except RuleError:
                pass
    return done


def _pick(db, rnd: random.Random, status: str, day_offset: int) -> Ticket | None:
    """A ticket of the day in a status, chosen at random."""
    with db.read() as s:
        rows = s.exec(
            select(Ticket)
            .where(Ticket.status == status, Ticket.service_date == DAY + timedelta(days=day_offset))
            .order_by(Ticket.id)
        ).all()
    return rnd.choice(rows) if rows else None


def _act(db, t: Timeline, rnd: random.Random, action: str, m: float) -> bool:
    if action == "issue":
        service = rnd.choices(SERVICES, weights=(5, 3, 2))[0]
        estimate = rnd.choice((None, rnd.randint(0, 25)))
        if rnd.random() < 0.7:
            n = rnd.randint(1, 8)  # a returning visitor: recognised by e-mail and phone together
            visitor = dict(email=f"returning{n}@example.id", phone=f"08120000{n:04d}", **_profile(rnd))
            if rnd.random() < 0.1:
                visitor["priority_reason"] = "elderly"
            t.issue(m, service, visitor=visitor, estimate=estimate)
        else:
            t.issue(m, service, priority_reason=rnd.choice(("", "", "", "pregnant")), estimate=estimate)
        return True
    if action == "call":
        return t.call(m, rnd.randint(1, 3)) is not None
    if action == "takeover":
        t.open(m, rnd.randint(1, 3), rnd.choice(OFFICERS))
        return True
    status = {
        "start": TicketStatus.called,
        "finish": TicketStatus.serving,
        "recall": TicketStatus.called,
        "no_show": TicketStatus.called,
        "restore": TicketStatus.no_show,
        "cancel": TicketStatus.waiting,
        "transfer": rnd.choice((TicketStatus.called, TicketStatus.serving)),
    }[action]
    ticket = _pick(db, rnd, status, t.day_offset)
    if ticket is None:
        return False
    if action == "restore":
        with db.write() as s:
            tickets.restore(s, ticket_id=ticket.id, user_id=None, now=t.at(m))
    elif action == "transfer":
        with db.read() as s:
            current = s.get(Ticket, ticket.id).service_id
            to = rnd.choice([code for code in SERVICES if factories.service(s, code).id != current])
        t.transfer(m, ticket.id, to)
    else:
        getattr(t, action)(m, ticket.id)
    return True


def counters_and_officers(db) -> tuple[list[int], list[int]]:
    with db.read() as s:
        return (
            [c.id for c in s.exec(select(Counter).order_by(Counter.number))],
            [u.id for u in s.exec(select(User).where(User.username.in_(OFFICERS)).order_by(User.username))],
        )
