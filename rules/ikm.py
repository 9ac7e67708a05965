"""The satisfaction survey (SKM) and its index (IKM) per PermenPANRB 14/2017, with exact arithmetic.

IKM = (sum over the 9 elements of the element's mean score x 1/9) x 25, scores on a 1-4 scale, so the IKM lies
between 25 and 100. The weight is exactly 1/9 (a Fraction), not the 0,11 often used on paper, and every mean is
an exact fraction; the value is rounded to two decimals (half up) only to be shown and graded, because the
grade table of the regulation is written in two decimals: A 88,31-100 (Sangat Baik), B 76,61-88,30 (Baik),
C 65,00-76,60 (Kurang Baik), D 25,00-64,99 (Tidak Baik).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlmodel import Session, select

from clock import utcnow
from models import DEAD, ProductRequest, Rating, Service, Ticket, TicketStatus
from rules import requests as rq
from rules.errors import N_, NotFound, RuleError

ELEMENTS = (
    ("u1", N_("Requirements")),
    ("u2", N_("System, mechanism and procedure")),
    ("u3", N_("Completion time")),
    ("u4", N_("Cost/tariff")),
    ("u5", N_("Product specification")),
    ("u6", N_("Staff competence")),
    ("u7", N_("Staff behaviour")),
    ("u8", N_("Handling of complaints and suggestions")),
    ("u9", N_("Facilities")),
)
CODES = tuple(code for code, _ in ELEMENTS)
WEIGHT = Fraction(1, len(ELEMENTS))  # exactly 1/9
SCALE = (1, 2, 3, 4)
# What each score means, per element (the questionnaire's answer words); 1 is the worst.
SCALE_WORDS = (N_("Not good"), N_("Less than good"), N_("Good"), N_("Very good"))
GRADES = (  # lowest IKM (two decimals) of each grade, best first
    (Decimal("88.31"), "A", N_("Very good")),
    (Decimal("76.61"), "B", N_("Good")),
    (Decimal("65.00"), "C", N_("Less than good")),
    (Decimal("25.00"), "D", N_("Not good")),
)


def ikm(ratings: list[dict]) -> dict:
    """The index of a set of survey answers ({u1..u9: 1-4} each). Exact means, exact 1/9 weight."""
    n = len(ratings)
    if n == 0:
        return {
            "respondents": 0,
            "elements": [],
            "ikm": None,
            "ikm_display": None,
            "grade": None,
            "grade_label": None,
            "weight": str(WEIGHT),
        }
    means = {c: Fraction(sum(int(r[c]) for r in ratings), n) for c in CODES}
    nrr_weighted = sum((means[c] * WEIGHT for c in CODES), Fraction(0))
    value = nrr_weighted * 25
    shown = round2(value)
    grade, label = grade_of(shown)
    return {
        "respondents": n,
        "elements": [
            {
                "code": c,
                "name": name,
                "mean": means[c],
                "mean_display": str(round2(means[c])),
                "weighted": means[c] * WEIGHT,
            }
            for c, name in ELEMENTS
        ],
        "nrr_weighted": nrr_weighted,
        "ikm": value,
        "ikm_exact": f"{value.numerator}/{value.denominator}",
        "ikm_display": str(shown),
        "grade": grade,
        "grade_label": label,
        "weight": str(WEIGHT),
    }


def round2(value: Fraction) -> Decimal:
    """Two decimals, half up, from the exact fraction (no float on the way)."""
    return (
        (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if value.denominator != 1
        else Decimal(value.numerator).quantize(Decimal("0.01"))
    )


def grade_of(shown: Decimal) -> tuple[str, str]:
    for low, grade, label in GRADES:
        if shown >= low:
            return grade, label
    raise ValueError(f"IKM {shown} is below 25: scores must be 1-4")


def validate_scores(scores: dict) -> dict[str, int]:
    out = {}
    for code in CODES:
        v = scores.get(code)
        if isinstance(v, bool) or not isinstance(v, int) or v not in SCALE:
            raise RuleError("bad_score", N_("Give every element a score from 1 to 4."), status=400)
        out[code] = v
    return out


def target(session: Session, token: str) -> tuple[ProductRequest | None, Ticket | None]:
    """What a rating link names: a paid-product request (its rating token) or a visit (its ticket's status
    token: a consultation or library visitor rates from their own phone page)."""
    try:
        return rq.by_rating_token(session, token), None
    except NotFound:
        pass
    live = token and not token.startswith(DEAD)
    ticket = session.exec(select(Ticket).where(Ticket.status_token == token)).first() if live else None
    if ticket is None:
        raise NotFound("request_not_found", N_("This rating link is not valid."))
    return None, ticket


def _request_of(session: Session, ticket: Ticket) -> ProductRequest | None:
    return session.exec(select(ProductRequest).where(ProductRequest.ticket_id == ticket.id)).first()


def form_state(session: Session, token: str) -> dict:
    """What the survey page needs to know: whose it is, whether it may be rated now or already was."""
    req, ticket = target(session, token)
    if req is not None:
        rated = session.exec(select(Rating).where(Rating.request_id == req.id)).first() is not None
        can = req.state in rq.TRANSITIONS["rate"].sources and not rated
        return {"kind": "request", "number": req.number, "office_id": req.office_id, "can_rate": can, "rated": rated}
    rated = session.exec(select(Rating).where(Rating.ticket_id == ticket.id)).first() is not None
    return {
        "kind": "visit",
        "number": ticket.code,
        "office_id": ticket.office_id,
        "can_rate": visit_can_be_rated(session, ticket) and not rated,
        "rated": rated,
    }


def visit_can_be_rated(session: Session, ticket: Ticket) -> bool:
    """A visit is rated once it is served to the end, unless it led to a paid request (rated with it)."""
    return ticket.status == TicketStatus.done and _request_of(session, ticket) is None


def rate(
    session: Session,
    *,
    rating_token: str,
    scores: dict,
    comment: str = "",
    channel: str = "",
    now: datetime | None = None,
) -> Rating:
    """The visitor rates the service (step 18), on the counter tablet or their phone; once per request, or
    once per visit for a service without a paid request (a consultation, the library)."""
    now = now or utcnow()
    req, ticket = target(session, rating_token)
    if req is None:
        return _rate_visit(session, ticket, scores=scores, comment=comment, channel=channel, now=now)
    req = rq.get_request(session, req.id, for_update=True)
    rq.require(req, "rate", by_visitor=True)
    if session.exec(select(Rating).where(Rating.request_id == req.id)).first() is not None:
        raise RuleError("already_rated", N_("This service has already been rated. Thank you!"))
    values = validate_scores(scores)
    served = session.get(Ticket, req.ticket_id) if req.ticket_id else None
    rating = Rating(
        office_id=req.office_id,
        request_id=req.id,
        ticket_id=None,
        service_id=served.service_id if served else None,
        at=now,
        comment=(comment or "").strip()[:1000],
        channel=channel if channel in ("counter", "phone") else "",
        **values,
    )
    session.add(rating)
    if req.closed_at is None:
        req.closed_at = now
    rq.record(session, req, "rate", now=now, by_visitor=True, channel=rating.channel)
    return rating


def _rate_visit(session: Session, ticket: Ticket, *, scores: dict, comment: str, channel: str, now: datetime):
    if session.exec(select(Rating).where(Rating.ticket_id == ticket.id)).first() is not None:
        raise RuleError("already_rated", N_("This service has already been rated. Thank you!"))
    if _request_of(session, ticket) is not None:
        raise RuleError("rate_the_request", N_("This visit is rated with its request, from the request's page."))
    if ticket.status != TicketStatus.done:
        raise RuleError("visit_not_finished", N_("The survey opens when your visit is finished."))
    values = validate_scores(scores)
    rating = Rating(
        office_id=ticket.office_id,
        ticket_id=ticket.id,
        service_id=ticket.service_id,
        at=now,
        comment=(comment or "").strip()[:1000],
        channel=channel if channel in ("counter", "phone") else "",
        **values,
    )
    session.add(rating)
    session.flush()
    return rating


def ikm_for(session: Session, office_id: int, start: datetime, end: datetime) -> dict:
    """The IKM of the ratings given in [start, end) at an office (for reports)."""
    rows = session.exec(select(Rating).where(Rating.office_id == office_id, Rating.at >= start, Rating.at < end)).all()
    out = ikm([{c: getattr(r, c) for c in CODES} for r in rows])
    out["method"] = "PermenPANRB 14/2017: IKM = (sum of element means x 1/9) x 25, exact 1/9 weight"
    out["by_service"] = by_service(session, office_id, rows)
    return out


def by_service(session: Session, office_id: int, rows: list[Rating]) -> list[dict]:
    """The IKM of each service rated (the office's order; 'online' for requests without a ticket)."""
    services = {s.id: s for s in session.exec(select(Service).where(Service.office_id == office_id))}
    groups: dict[int | None, list[Rating]] = {}
    for r in rows:
        groups.setdefault(r.service_id, []).append(r)
    out = []
    for sid in sorted(groups, key=lambda k: (services[k].sort_order, k) if k in services else (10**6, 0)):
        k = ikm([{c: getattr(r, c) for c in CODES} for r in groups[sid]])
        svc = services.get(sid)
        out.append(
            {
                "code": svc.code if svc else "online",
                "service_id": sid,
                "name": svc.name if svc else "",
                "name_en": svc.name_en if svc else "",
                "respondents": k["respondents"],
                "ikm": k["ikm"],
                "ikm_display": k["ikm_display"],
                "grade": k["grade"],
                "grade_label": k["grade_label"],
            }
        )
    return out
