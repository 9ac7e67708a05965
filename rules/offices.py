"""Offices, services and counters: brought in line with config.toml, and looked up."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import Session, select

from models import Counter, CounterService, Office, Service
from rules.errors import N_, NotFound
from settings import Settings


def sync_from_settings(session: Session, settings: Settings) -> Office:
    """Create or update the configured office, its services and counters (idempotent; never deletes)."""
    o = settings.office
    office = session.exec(select(Office).where(Office.code == o.code)).first()
    if office is None:
        office = Office(code=o.code, name=o.name)
        session.add(office)
    office.name, office.short_name, office.address = o.name, o.short_name, o.address
    office.timezone, office.service_limit_minutes = o.timezone, o.service_limit_minutes
    office.config_sha = settings.office_fingerprint()
    from rules import office_setup  # complaint channels, hours, holidays: the database's copy of config.toml's

    office_setup.seed_from_settings(office, settings)
    session.flush()
    by_code = {}
    for i, s in enumerate(settings.services):
        svc = session.exec(select(Service).where(Service.office_id == office.id, Service.code == s.code)).first()
        if svc is None:
            svc = Service(office_id=office.id, code=s.code, prefix=s.prefix, name=s.name)
            session.add(svc)
        svc.prefix, svc.name, svc.name_en, svc.paid, svc.sort_order, svc.active = (
            s.prefix,
            s.name,
            s.name_en,
            s.paid,
            i,
            True,
        )
        by_code[s.code] = svc
    session.flush()
    for c in settings.counters:
        counter = session.exec(
            select(Counter).where(Counter.office_id == office.id, Counter.number == c.number)
        ).first()
        if counter is None:
            counter = Counter(office_id=office.id, number=c.number)
            session.add(counter)
        counter.name, counter.printer, counter.active = c.name or f"Loket {c.number}", c.printer, True
        session.flush()
        wanted = {by_code[code].id for code in c.services}
        have = {
            cs.service_id: cs
            for cs in session.exec(select(CounterService).where(CounterService.counter_id == counter.id))
        }
        for sid in wanted - have.keys():
            session.add(CounterService(counter_id=counter.id, service_id=sid))
        for sid in have.keys() - wanted:
            session.delete(have[sid])
    session.flush()
    from rules import special_days  # the calendar module reads offices' settings; imported late to stay acyclic

    special_days.sync_from_settings(session, office.id, settings)
    return office


# Read on every request and screen update: built once, with bind parameters (see rules/tickets.py).
_OFFICE_BY_CODE = select(Office).where(Office.code == bindparam("code"))
_SERVICES = select(Service).where(Service.office_id == bindparam("office_id")).order_by(Service.sort_order, Service.id)
_ACTIVE_SERVICES = _SERVICES.where(Service.active.is_(True))
_COUNTERS = (
    select(Counter)
    .where(Counter.office_id == bindparam("office_id"), Counter.active.is_(True))
    .order_by(Counter.number)
)
_COUNTER_SERVICE_IDS = select(CounterService.service_id).where(CounterService.counter_id == bindparam("counter_id"))


def get_office(session: Session, code: str) -> Office:
    office = session.exec(_OFFICE_BY_CODE, params={"code": code}).first()
    if office is None:
        raise NotFound("office_not_found", N_("No office with code %(code)s."), code=code)
    return office


def service_name(service, lang: str) -> str:
    """A service's name in a screen's language: its English name on English screens when it has one.

    Takes a Service or a dict with name/name_en (the one place Python and templates choose; scripts that get
    both names choose with Loket.serviceName)."""
    if isinstance(service, dict):
        name, name_en = service.get("name", ""), service.get("name_en", "")
    else:
        name, name_en = service.name, service.name_en
    return (name_en or name) if lang == "en" else name


def office_tz(office: Office) -> ZoneInfo:
    return ZoneInfo(office.timezone)


def services(session: Session, office_id: int, active_only: bool = True) -> list[Service]:
    return list(session.exec(_ACTIVE_SERVICES if active_only else _SERVICES, params={"office_id": office_id}))


def get_service(session: Session, office_id: int, service_id: int) -> Service:
    svc = session.get(Service, service_id)
    if svc is None or svc.office_id != office_id or not svc.active:
        raise NotFound("service_not_found", N_("This service does not exist at this office."))
    return svc


def counters(session: Session, office_id: int) -> list[Counter]:
    return list(session.exec(_COUNTERS, params={"office_id": office_id}))


def get_counter(session: Session, counter_id: int, office_id: int | None = None) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None or not counter.active or (office_id is not None and counter.office_id != office_id):
        raise NotFound("counter_not_found", N_("This counter does not exist at this office."))
    return counter


_COUNTER_FOR_UPDATE = select(Counter).where(Counter.id == bindparam("counter_id")).with_for_update()  # built once


def lock_counter(session: Session, counter_id: int, office_id: int | None = None) -> Counter:
    """The counter read under a row lock held to the end of the transaction (PostgreSQL; SQLite's write
    transaction already holds the database): every action on a counter takes it first, so two officers or two
    tabs acting on one counter queue instead of both acting on what they read before the other committed."""
    counter = session.exec(_COUNTER_FOR_UPDATE, params={"counter_id": counter_id}).first()
    if counter is None or not counter.active or (office_id is not None and counter.office_id != office_id):
        raise NotFound("counter_not_found", N_("This counter does not exist at this office."))
    return counter


def counter_service_ids(session: Session, counter_id: int) -> list[int]:
    return list(session.exec(_COUNTER_SERVICE_IDS, params={"counter_id": counter_id}))
