"""The guest-book part of a report: what visitors came for and who they are (segment, institution, education,
occupation, purpose), one query for the period's visits with each visitor's profile read once."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, null, tuple_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session

from models import GuestBookEntry, Office, Ticket, Visitor

if TYPE_CHECKING:
    from rules.reports import Filters, Period

GUESTBOOK_DIMENSIONS = ("segment", "institution_category", "education", "occupation", "purpose")


def guestbook_breakdown(
    session: Session,
    office: Office,
    period: Period,
    filters: Filters,
    guestbook_ids: tuple[int, int] | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """Visits per value of each guest-book dimension, most frequent first (ties by code).

    The purposes (the visit's own) and the profile (the visitor's, as last recorded) are two groupings of
    the period's guest-book visits: PostgreSQL makes both in one pass (grouping sets); SQLite, which has
    none, in two halves of one statement, where the profile is looked up once per visitor and weighted by
    the visitor's visits rather than once per visit. guestbook_ids (Reading.guestbook_ids of the same
    period and filters) only narrows the guest-book lines to read: PostgreSQL then reads that range of
    them instead of all.
    """
    T, G, V = Ticket.__table__.c, GuestBookEntry.__table__.c, Visitor.__table__.c
    visits = Ticket.__table__.join(GuestBookEntry.__table__, G.id == T.guestbook_id)
    conds = filters.conditions(office, period)
    if guestbook_ids is not None:
        conds.append(G.id.between(*guestbook_ids))
    profile = (V.segment, V.institution_category, V.education, V.occupation)
    if session.get_bind().dialect.name == "postgresql":
        q = (
            sa_select(
                case((func.grouping(G.purpose) == 0, "purpose"), else_="profile"), G.purpose, *profile, func.count()
            )
            .select_from(visits.outerjoin(Visitor.__table__, V.id == G.visitor_id))
            .where(*conds)
            .group_by(func.grouping_sets(G.purpose, tuple_(*profile)))
        )
    else:
        purposes = (
            sa_select(literal("purpose"), G.purpose, null(), null(), null(), null(), func.count())
            .select_from(visits)
            .where(*conds)
            .group_by(G.purpose)
        )
        per_visitor = (
            sa_select(G.visitor_id.label("visitor_id"), func.count().label("n"))
            .select_from(visits)
            .where(*conds)
            .group_by(G.visitor_id)
            .subquery()
        )
        profiles = (
            sa_select(literal("profile"), null(), *profile, func.sum(per_visitor.c.n))
            .select_from(per_visitor.outerjoin(Visitor.__table__, V.id == per_visitor.c.visitor_id))
            .group_by(*profile)
        )
        q = union_all(purposes, profiles)
    tallies = {dim: Tally() for dim in GUESTBOOK_DIMENSIONS}
    for kind, purpose, *values, n in session.execute(q):
        if kind == "purpose":
            tallies["purpose"][purpose or ""] += int(n)
        else:
            for dim, value in zip(GUESTBOOK_DIMENSIONS[:4], values):
                tallies[dim][value or ""] += int(n)
    return {dim: sorted(t.items(), key=lambda kv: (-kv[1], kv[0])) for dim, t in tallies.items()}


def offset_spans(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime, timedelta]]:
    """[start, end) in UTC cut where the zone's UTC offset changes: (from, to, offset), in order.

    Probes every six hours and narrows each change down to the microsecond (a zone changes at most a few
    times a year; Indonesian zones never do, and give one span).
    """

    def offset(at: datetime) -> timedelta:
        return at.astimezone(tz).utcoffset()

    tick, step = timedelta(microseconds=1), timedelta(hours=6)
    probes = [start + step * i for i in range(int((end - start) / step) + 1) if start + step * i < end - tick]
    probes.append(end - tick)
    spans, cur = [], start
    for a, b in zip(probes, probes[1:]):
        if offset(a) != offset(b):
            lo, hi = a, b  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > tick:
                mid = lo + (hi - lo) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(a) else (lo, mid)
            spans.append((cur, hi, offset(a)))
            cur = hi
    spans.append((cur, end, offset(end - tick)))
    return spans
