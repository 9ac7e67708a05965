"""The rights screen's fixtures: an app whose instance folder (database, slip files) is this test's own, so a test
can read every file the app wrote; a person with a row in every table about visitors; a supervisor's client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

import storage
from commands import migrate
from mail import outbox as mail_outbox
from models import Counter, GuestBookEntry, Invoice, ProductRequest, Receipt, RequestUpload, Ticket
from rules import counters, guestbook, ikm, tickets
from rules import requests as rq
from tests import factories
from tests.conftest import demo_app, test_settings
from tests.request_fixtures import T0, Staff, advance


@pytest.fixture
def instance(tmp_path):
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def db_url(instance):
    url = f"sqlite:///{instance / 'loket.db'}"
    migrate(url)
    return url


@pytest.fixture
def settings(instance):
    """config.toml, with its "file" printers writing into this test's instance/prints/."""
    base = test_settings()
    printers = {
        name: ({**cfg, "directory": str(instance / "prints" / name)} if cfg.get("backend") == "file" else cfg)
        for name, cfg in base.printers.items()
    }
    return base.model_copy(update={"printers": printers})


@pytest.fixture
def app(db_url, settings, instance):
    app = demo_app(db_url, settings, INSTANCE_PATH=str(instance))
    yield app
    app.extensions["loket.db"].dispose()


@pytest.fixture
def supervisor(make_api):
    c = make_api()
    c.login("pengawas")
    return c


@dataclass
class Person:
    """A visitor made by `full_person`, with the ids of what they left behind."""

    name: str
    email: str
    phone: str
    visitor_id: int
    ticket_id: int
    request_id: int
    invoice_id: int
    receipt_id: int


def full_person(app, *, name: str, email: str, phone: str, at=T0, counter_number: int = 1) -> Person:
    """A visitor who leaves a row in every table about visitors: a visit (with a note naming them), a ticket
    and its history, a paid request (lines, checked documents with a note, history with their correction,
    invoice, payment, receipt), a rating with a comment, the slips of ticket, invoice and receipt printed into
    files, an e-mail with a paper attached, a file they uploaded, and a staff read. Their name, e-mail and phone appear in free text too, as people type them."""
    from printer import jobs, papers
    from printer.worker import worker_for_app

    db = app.extensions["loket.db"]
    staff = Staff(db)
    worker = worker_for_app(app, poll_seconds=0.05, lease_seconds=5, probe_seconds=0)
    with db.write() as s:
        office = factories.office(s)
        form = factories.guest_form(
            factories.service(s, "penjualan").id,
            name=name,
            email=email,
            phone=phone,
            institution_category="private",
            institution_name=f"CV {name.split()[-1]} Data",
            npwp="01.300.066.6-091.000",
            purpose="other",
            purpose_note=f"data for {name.split()[0]}'s shop",
        )
        ticket = guestbook.sign_and_take_ticket(
            s, office=office, form=guestbook.GuestBookForm.model_validate(form), now=at
        )
        with app.test_request_context():
            jobs.enqueue_ticket(s, ticket, station="kiosk-1")
    _print(worker)  # the ticket's slip, while it waits
    with db.write() as s:
        counter = s.exec(select(Counter).where(Counter.number == counter_number)).one()
        if counter.status != "open" or counter.officer_id != staff.officer:
            counters.release_counters_of(s, user_id=staff.officer, except_counter_id=counter.id)
            counters.open_counter(s, counter_id=counter.id, user_id=staff.officer, office_id=office.id, now=at)
        current = tickets.current_ticket(s, counter.id)
        if current is not None:
            tickets.finish(s, ticket_id=current.id, counter_id=counter.id, user_id=staff.officer, now=at)
        assert tickets.call_next(s, counter_id=counter.id, user_id=staff.officer, now=at).id == ticket.id
        tickets.start(s, ticket_id=ticket.id, counter_id=counter.id, user_id=staff.officer, now=at)
        req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=at)
        rq.add_line(
            s,
            request_id=req.id,
            user_id=staff.officer,
            item_code="microdata_raw",
            measure=2_500_001,
            quantity=1,
            description="Susenas Maret 2025",
            now=at,
        )
        rq.agree(s, request_id=req.id, user_id=staff.officer, now=at + timedelta(minutes=1))
        for d in rq.checklist(s, rq.get_request(s, req.id)):
            if d["when"] == "before_invoice":
                rq.tick_document(
                    s,
                    request_id=req.id,
                    user_id=staff.officer,
                    kind=d["kind"],
                    received=True,
                    note=f"shown by {name}, call {phone} if unclear",
                    now=at + timedelta(minutes=1),
                )
        rq.check_documents(s, request_id=req.id, user_id=staff.officer, now=at + timedelta(minutes=1))
        advance(s, req.id, staff, "delivered", now=at + timedelta(minutes=2))
        rq.request_correction(
            s,
            request_id=req.id,
            text=f"wrong year; reply to {email}",
            by_visitor=True,
            now=at + timedelta(minutes=30),
        )
        rq.resolve_correction(
            s, request_id=req.id, user_id=staff.officer, result=f"sent to {email}", now=at + timedelta(minutes=40)
        )
        advance(s, req.id, staff, "closed", now=at + timedelta(minutes=41))
        tickets.finish(
            s, ticket_id=ticket.id, counter_id=counter.id, user_id=staff.officer, now=at + timedelta(minutes=42)
        )
        ikm.rate(
            s,
            rating_token=rq.get_request(s, req.id).rating_token,
            scores={f"u{i}": 3 + i % 2 for i in range(1, 10)},
            comment=f"Terima kasih, {name}",
            channel="phone",
        )
        inv = s.exec(select(Invoice).where(Invoice.request_id == req.id)).one()
        rec = s.exec(select(Receipt).where(Receipt.request_id == req.id)).one()
        with app.test_request_context():
            papers.queue_invoice(s, inv, station=f"counter-{counter_number}", user_id=staff.officer)
            papers.queue_receipt(s, rec, station="treasurer", user_id=staff.treasurer)
            # An e-mail to them with a paper attached, and a file they uploaded (both name them).
            paper = f"%PDF-1.4 kuitansi for {name}, {phone}".encode()
            mail_outbox.enqueue(
                s, rq.get_request(s, req.id), "rating", attachments=[("kw.pdf", "application/pdf", paper)]
            )
            stored = storage.save(office.id, f"%PDF-1.4 SPPD signed by {name} <{email}>".encode(), "pdf")
            s.add(
                RequestUpload(
                    office_id=office.id,
                    request_id=req.id,
                    kind="sppd",
                    filename=f"sppd-{name}.pdf",
                    content_type="application/pdf",
                    size=40,
                    sha256="0" * 64,
                    stored_name=stored,
                )
            )
        person = Person(name, email, phone, ticket.visitor_id, ticket.id, req.id, inv.id, rec.id)
    _print(worker)
    return person


def _print(worker) -> None:
    try:
        worker.run_once()
    finally:
        worker.release_lease()


@pytest.fixture
def make_person(app):
    return lambda **kw: full_person(app, **kw)


def rows_of_person(db, person: Person) -> dict:
    """A few of the person's rows, for tests that look at one of each."""
    with db.read() as s:
        return {
            "visit": s.exec(select(GuestBookEntry).where(GuestBookEntry.visitor_id == person.visitor_id)).one(),
            "ticket": s.get(Ticket, person.ticket_id),
            "request": s.get(ProductRequest, person.request_id),
        }
