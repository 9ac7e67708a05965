"""Services (queues) and counters as the admin sets them up: created, renamed, reordered, (de)activated.

History is kept: rows are never deleted (a deactivated service or counter keeps its tickets and reports), a
renamed service keeps its tickets. A ticket prefix is part of the numbers already handed out, so a prefix change
is refused while tickets of the service wait, are called or are being served today (docs/ADMIN.md)."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from models import Counter, CounterService, Service, Ticket, TicketStatus
from rules import audit, office_setup
from rules.audit import Actor
from rules.errors import N_, NotFound

PREFIX = re.compile(r"^[A-Z]{1,2}$")
CODE = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
PRINTER_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
OPEN_STATES = (TicketStatus.waiting, TicketStatus.called, TicketStatus.serving)


def service_fields(svc: Service) -> dict:
    return {
        "code": svc.code,
        "prefix": svc.prefix,
        "name": svc.name,
        "name_en": svc.name_en,
        "paid": svc.paid,
        "active": svc.active,
        "sort_order": svc.sort_order,
    }


def counter_fields(session: Session, counter: Counter) -> dict:
    ids = session.exec(select(CounterService.service_id).where(CounterService.counter_id == counter.id)).all()
    codes = sorted(session.exec(select(Service.code).where(Service.id.in_(ids))).all()) if ids else []
    return {
        "number": counter.number,
        "name": counter.name,
        "services": codes,
        "printer": counter.printer,
        "active": counter.active,
    }


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:32]
    return s if CODE.match(s or "") else ("s-" + s)[:32] if s else ""


def _check_service(session: Session, office_id: int, data: dict, service_id: int | None) -> None:
    if len(data["name"]) < 2:
        raise audit.invalid("name", "bad_name", N_("A service needs a name in Indonesian (at least 2 letters)."))
    if not PREFIX.match(data["prefix"]):
        raise audit.invalid("prefix", "bad_prefix", N_("A prefix is one or two capital letters (A-Z)."))
    if not CODE.match(data["code"]):
        raise audit.invalid(
            "code", "bad_code", N_("A code is 2-32 small letters, digits, '-' or '_', starting with a letter.")
        )
    for key, code, msg in (
        ("prefix", "prefix_taken", N_("Another service already uses the prefix %(value)s.")),
        ("code", "code_taken", N_("Another service already uses the code %(value)s.")),
    ):
        other = session.exec(
            select(Service).where(Service.office_id == office_id, getattr(Service, key) == data[key])
        ).first()
        if other is not None and other.id != service_id:
            raise audit.invalid(key, code, msg, value=data[key])


def _clean_service(data: dict) -> dict:
    out = {
        "name": " ".join(str(data.get("name") or "").split())[:120],
        "name_en": " ".join(str(data.get("name_en") or "").split())[:120],
        "prefix": str(data.get("prefix") or "").strip().upper(),
        "paid": bool(data.get("paid")),
        "active": bool(data.get("active", True)),
        "sort_order": int(data.get("sort_order") or 0),
    }
    out["code"] = str(data.get("code") or "").strip().lower() or _slug(out["name_en"] or out["name"])
    return out


def create_service(session: Session, *, office_id: int, actor: Actor, data: dict, now: datetime | None = None):
    """Add a service (a new queue): names, prefix, paid or free, active, its place on the kiosk."""
    clean = _clean_service(data)
    if not data.get("sort_order"):
        last = session.exec(select(func.max(Service.sort_order)).where(Service.office_id == office_id)).one()
        clean["sort_order"] = (last or 0) + 1
    _check_service(session, office_id, clean, None)
    svc = Service(office_id=office_id, **clean)
    session.add(svc)
    session.flush()
    office_setup.bump(session, office_id)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="service",
        action="created",
        entity_id=svc.id,
        summary=f"{svc.prefix} {svc.name}",
        after=service_fields(svc),
        now=now,
    )
    return svc


def waiting_tickets(session: Session, service_id: int, day: date) -> int:
    """Tickets of a service still waiting, called or being served on a day."""
    q = select(func.count(Ticket.id)).where(
        or_(Ticket.service_id == service_id, Ticket.issued_service_id == service_id),
        Ticket.service_date == day,
        Ticket.status.in_(OPEN_STATES),
    )
    return session.exec(q).one()


def get_service(session: Session, office_id: int, service_id: int) -> Service:
    svc = session.get(Service, service_id)
    if svc is None or svc.office_id != office_id:
        raise NotFound("service_not_found", N_("This service does not exist at this office."))
    return svc


def update_service(
    session: Session, *, office_id: int, service_id: int, actor: Actor, data: dict, today: date, now=None
) -> Service:
    """Change a service. Its tickets stay its own (renaming keeps them); a new prefix while tickets of the
    service are open today is refused; the code, once made, stays (config.toml's counters name it)."""
    svc = get_service(session, office_id, service_id)
    before = service_fields(svc)
    clean = _clean_service({**before, **data, "code": svc.code})
    _check_service(session, office_id, clean, svc.id)
    if clean["prefix"] != svc.prefix and waiting_tickets(session, svc.id, today):
        raise audit.invalid(
            "prefix",
            "prefix_in_use",
            N_("Tickets of this service are waiting or being served today: change the prefix after they are done."),
        )
    for key, value in clean.items():
        setattr(svc, key, value)
    session.add(svc)
    session.flush()
    office_setup.bump(session, office_id)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="service",
        action=audit.action_of(before["active"], svc.active),
        entity_id=svc.id,
        summary=f"{svc.prefix} {svc.name}",
        before=before,
        after=service_fields(svc),
        now=now,
    )
    return svc


def _clean_counter(session: Session, office_id: int, data: dict, printers) -> tuple[dict, list[int]]:
    try:
        number = int(data.get("number") or 0)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 99:
        raise audit.invalid("number", "bad_number", N_("A counter's number is between 1 and 99."))
    service_ids = sorted({int(x) for x in data.get("service_ids") or []})
    valid = {
        s.id for s in session.exec(select(Service).where(Service.office_id == office_id, Service.active.is_(True)))
    }
    if not service_ids:
        raise audit.invalid("service_ids", "no_service", N_("A counter must serve at least one service."))
    if not set(service_ids) <= valid:
        raise audit.invalid("service_ids", "bad_service", N_("Choose active services of this office."))
    printer = str(data.get("printer") or "").strip()
    if printer and (not PRINTER_NAME.match(printer) or (printers is not None and printer not in printers)):
        raise audit.invalid("printer", "bad_printer", N_("Choose a printer that config.toml configures."))
    name = " ".join(str(data.get("name") or "").split())[:60] or f"Loket {number}"
    return {"number": number, "name": name, "printer": printer, "active": bool(data.get("active", True))}, service_ids


def _set_services(session: Session, counter: Counter, service_ids: list[int]) -> None:
    have = {
        cs.service_id: cs for cs in session.exec(select(CounterService).where(CounterService.counter_id == counter.id))
    }
    for sid in set(service_ids) - have.keys():
        session.add(CounterService(counter_id=counter.id, service_id=sid))
    for sid in have.keys() - set(service_ids):
        session.delete(have[sid])
    session.flush()


def _number_taken(session, office_id, number, counter_id):
    other = session.exec(select(Counter).where(Counter.office_id == office_id, Counter.number == number)).first()
    if other is not None and other.id != counter_id:
        raise audit.invalid("number", "number_taken", N_("Counter %(number)s exists already."), number=number)


def create_counter(
    session: Session, *, office_id: int, actor: Actor, data: dict, printers=None, now: datetime | None = None
) -> Counter:
    """Add a counter: its number and name, the services it serves (at least one), its printer."""
    clean, service_ids = _clean_counter(session, office_id, data, printers)
    _number_taken(session, office_id, clean["number"], None)
    counter = Counter(office_id=office_id, **clean)
    session.add(counter)
    session.flush()
    _set_services(session, counter, service_ids)
    office_setup.bump(session, office_id)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="counter",
        action="created",
        entity_id=counter.id,
        summary=counter.name,
        after=counter_fields(session, counter),
        now=now,
    )
    return counter


def update_counter(
    session: Session, *, office_id: int, counter_id: int, actor: Actor, data: dict, printers=None, now=None
) -> Counter:
    """Change a counter. Deactivating one that an officer holds open is refused: they close it first."""
    counter = session.get(Counter, counter_id)
    if counter is None or counter.office_id != office_id:
        raise NotFound("counter_not_found", N_("This counter does not exist at this office."))
    before = counter_fields(session, counter)
    current = session.exec(select(CounterService.service_id).where(CounterService.counter_id == counter.id)).all()
    merged = {**before, **data}
    if data.get("service_ids") is None:  # not given: the services it serves now
        merged["service_ids"] = list(current)
    clean, service_ids = _clean_counter(session, office_id, merged, printers)
    _number_taken(session, office_id, clean["number"], counter.id)
    if not clean["active"] and counter.active and counter.officer_id is not None and counter.status != "closed":
        raise audit.invalid(
            "active", "counter_in_use", N_("An officer has this counter open: it can be deactivated once closed.")
        )
    for key, value in clean.items():
        setattr(counter, key, value)
    session.add(counter)
    session.flush()
    _set_services(session, counter, service_ids)
    office_setup.bump(session, office_id)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="counter",
        action=audit.action_of(before["active"], counter.active),
        entity_id=counter.id,
        summary=counter.name,
        before=before,
        after=counter_fields(session, counter),
        now=now,
    )
    return counter
