"""Every table of the database, classified once: does it hold personal data about a visitor, and if so, how to
find one person's rows and what erasure does to them; if not, why not (one line).

`tests/privacy/test_registry.py` walks SQLModel.metadata and fails for a table missing here, so a new table is
classified on purpose. To add one:

* about a visitor: ``"mytable": about(N_("Title"), rows_of(MyModel, lambda i: MyModel.request_id.in_(i.requests)),
  erase=<handler>, kept=<msgid or None>)``, where the rows are found from the person's ids (`Ids`: visitor,
  visits, tickets, requests, invoices, receipts, print jobs) and the handler blanks the identity, scrubs free
  text (`_scrub_fields("note")`) or keeps the row (`_keep`; say why in `kept`);
* not about a visitor: ``"mytable": not_personal("why, in one line")``.

Files held about a person (slip files of their print jobs, the files they uploaded) are listed by FILE_HOLDERS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, false, or_
from sqlmodel import Session, SQLModel, select

import models as M
from models import dead_token
from rules.errors import N_
from rules.scrub import Scrubber


@dataclass
class Ids:
    """The ids of one person's rows, from which every table's rows are found."""

    visitor: int
    visits: list[int] = field(default_factory=list)
    tickets: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    invoices: list[int] = field(default_factory=list)
    receipts: list[int] = field(default_factory=list)
    jobs: list[int] = field(default_factory=list)
    mails: list[int] = field(default_factory=list)


def ids_of(session: Session, visitor_id: int) -> Ids:
    """Collect the ids of a person's visits, tickets, requests, papers and print jobs."""
    ids = Ids(visitor_id)
    ids.visits = list(session.exec(select(M.GuestBookEntry.id).where(M.GuestBookEntry.visitor_id == visitor_id)))
    ids.tickets = list(
        session.exec(
            select(M.Ticket.id).where(or_(M.Ticket.visitor_id == visitor_id, _in(M.Ticket.guestbook_id, ids.visits)))
        )
    )
    ids.requests = list(session.exec(select(M.ProductRequest.id).where(M.ProductRequest.visitor_id == visitor_id)))
    ids.invoices = list(session.exec(select(M.Invoice.id).where(_in(M.Invoice.request_id, ids.requests))))
    ids.receipts = list(session.exec(select(M.Receipt.id).where(_in(M.Receipt.request_id, ids.requests))))
    J = M.PrintJob
    ids.jobs = list(
        session.exec(
            select(J.id).where(
                or_(
                    and_(J.kind == "ticket", _in(J.ref_id, ids.tickets)),
                    and_(J.kind == "invoice", _in(J.ref_id, ids.invoices)),
                    and_(J.kind == "receipt", _in(J.ref_id, ids.receipts)),
                )
            )
        )
    )
    ids.mails = list(session.exec(select(M.MailMessage.id).where(_in(M.MailMessage.request_id, ids.requests))))
    return ids


def _in(column, values: list[int]):
    """column IN values, or false for none (SQL has no empty IN)."""
    return column.in_(values) if values else false()


# ---- how each kind of row is erased ---------------------------------------------------------------------

Handler = Callable[[Session, list, Scrubber, datetime], None]


@dataclass(frozen=True)
class About:
    """A table with rows about a visitor."""

    rows: Callable[[Session, Ids], list]
    erase: Handler
    # What the rows are, for people (a msgid: the rights screen and the export's PDF).
    title: str
    # Why the rows stay after an erasure (shown on the rights screen), or None when they go or lose identity.
    kept: str | None = None


@dataclass(frozen=True)
class NotPersonal:
    """A table with no row about a visitor; `reason` says why."""

    reason: str


def about(title: str, rows, *, erase: Handler, kept: str | None = None) -> About:
    """A table about a visitor: its title (msgid), how to find one person's rows, what erasure does to them."""
    return About(rows, erase, title, kept)


def not_personal(reason: str) -> NotPersonal:
    """A table holding nothing about a visitor, and why."""
    return NotPersonal(reason)


def rows_of(model: type[SQLModel], where: Callable[[Ids], object]):
    """A finder: the model's rows matching a condition on the person's ids, by id."""
    return lambda session, ids: list(session.exec(select(model).where(where(ids)).order_by(model.id)))


def _set(session: Session, rows: list, **values) -> None:
    """Set columns on every row."""
    for row in rows:
        for k, v in values.items():
            setattr(row, k, v)
        session.add(row)


def _scrub_fields(*names: str) -> Handler:
    """Mask the person's name, e-mail, phone and numbers in free-text columns (JSON kept as JSON)."""

    def handler(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
        """Scrub the named columns of each row."""
        for row in rows:
            for name in names:
                value = getattr(row, name)
                setattr(row, name, scrub.json(value) if _is_json(value) else scrub.text(value))
            session.add(row)

    return handler


def _is_json(value: str) -> bool:
    """Whether a text column holds JSON (an object or a list)."""
    return isinstance(value, str) and value[:1] in ("{", "[")


def _keep(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """Kept as it is: the row holds no identity (only ids)."""


def _erase_visitor(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """The person's identity goes; the record stays, marked erased."""
    # The coarse profile the reports count (segment, institution category, education, occupation) stays.
    _set(session, rows, name="", email="", phone="", institution_name="", npwp="", gender="", birth_year=None)
    _set(session, rows, erased_at=now, updated_at=now)


def erase_visit_identity(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """What a visit typed about who the visitor is goes; the coarse answers and the purpose stay."""
    _set(session, rows, name="", email="", phone="", institution_name="", gender="", birth_year=None)
    _set(session, rows, purpose_note="", identity_erased_at=now)


def _erase_ticket(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """Tickets stay for the reports; their status links die."""
    # Figures stay for the reports; the status link dies (a new token nobody holds).
    for t in rows:
        t.status_token = dead_token()
        session.add(t)


def _erase_request(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """Requests stay (finance); their links die, the download reference goes, free text is scrubbed."""
    for r in rows:
        r.visitor_token, r.rating_token = dead_token(), dead_token()
        r.download_ref = ""
        r.zero_tariff_basis = scrub.text(r.zero_tariff_basis)
        session.add(r)


def _erase_request_event(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """A request's history stays; what the visitor wrote goes, officers' words lose the identity."""
    for e in rows:
        # What the visitor typed (a correction) goes whole; officers' words are scrubbed of the identity.
        e.detail = "" if e.by_visitor else (scrub.json(e.detail) if _is_json(e.detail) else scrub.text(e.detail))
        session.add(e)


def _erase_invoice(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """Invoices stay (finance) without the buyer frozen on them."""
    for inv in rows:
        snap = json.loads(inv.snapshot or "{}")
        snap["buyer"] = {"name": "", "institution": ""}
        inv.snapshot = scrub.json(json.dumps(snap, sort_keys=True))
        inv.close_reason = scrub.text(inv.close_reason)
        session.add(inv)


def _erase_rating(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """Ratings keep their scores (the IKM) without the comment."""
    _set(session, rows, comment="")  # the scores stay: the IKM is computed from them


def _erase_print_job(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """Print jobs lose their contents; one not yet printed is cancelled."""
    for job in rows:
        job.payload = "{}"
        job.last_error = scrub.text(job.last_error)
        if job.status in (M.PrintJobStatus.queued, M.PrintJobStatus.failed, M.PrintJobStatus.needs_decision):
            job.status = M.PrintJobStatus.cancelled
        session.add(job)


def _erase_mail(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """E-mails lose the address, the subject's and the text's identity; one not yet sent is not sent."""
    for m in rows:
        m.to_addr = ""
        m.subject = scrub.text(m.subject)
        m.body = ""
        m.last_error = scrub.text(m.last_error)
        if m.status in (M.MailStatus.queued, M.MailStatus.failed, M.MailStatus.needs_decision, M.MailStatus.refused):
            m.status = M.MailStatus.cancelled
        session.add(m)


def _erase_attachment(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """An e-mail's attached papers (they name the buyer) go; the row says what was attached."""
    _set(session, rows, data=b"")


def _erase_upload(session: Session, rows: list, scrub: Scrubber, now: datetime) -> None:
    """An uploaded file's name goes (the file itself is removed with the person's files); kind, size, checksum
    and time stay as the trace of what was handed in."""
    _set(session, rows, filename="")


FINANCE_KEPT = N_(
    "Kept: state-finance rules (PNBP, PP 13/2024; the treasurer's accountability) require invoices, payments "
    "and receipts to be kept. Numbers, amounts, billing codes, NTPN and dates stay; the name on them goes."
)
REPORT_KEPT = N_(
    "Kept without identity: the reports (visits, waiting times, IKM) count these rows; only ids and codes stay."
)
LOG_KEPT = N_("Kept: the record of who looked at or changed this person's data holds no identity, only ids.")

REGISTRY: dict[str, About | NotPersonal] = {
    # ---- about a visitor ----
    "visitor": about(
        N_("The person's record"), rows_of(M.Visitor, lambda i: M.Visitor.id == i.visitor), erase=_erase_visitor
    ),
    "guestbookentry": about(
        N_("Visits (guest book)"),
        rows_of(M.GuestBookEntry, lambda i: M.GuestBookEntry.visitor_id == i.visitor),
        erase=erase_visit_identity,
    ),
    "ticket": about(
        N_("Queue tickets"),
        rows_of(M.Ticket, lambda i: _in(M.Ticket.id, i.tickets)),
        erase=_erase_ticket,
        kept=REPORT_KEPT,
    ),
    "ticketevent": about(
        N_("Ticket history"),
        rows_of(M.TicketEvent, lambda i: _in(M.TicketEvent.ticket_id, i.tickets)),
        erase=_scrub_fields("detail"),
        kept=REPORT_KEPT,
    ),
    "productrequest": about(
        N_("Requests for paid products"),
        rows_of(M.ProductRequest, lambda i: _in(M.ProductRequest.id, i.requests)),
        erase=_erase_request,
        kept=FINANCE_KEPT,
    ),
    "requestline": about(
        N_("Products requested"),
        rows_of(M.RequestLine, lambda i: _in(M.RequestLine.request_id, i.requests)),
        erase=_scrub_fields("description"),
        kept=FINANCE_KEPT,
    ),
    "requestdocument": about(
        N_("Documents checked"),
        rows_of(M.RequestDocument, lambda i: _in(M.RequestDocument.request_id, i.requests)),
        erase=_scrub_fields("note"),
        kept=FINANCE_KEPT,
    ),
    "requestevent": about(
        N_("Request history"),
        rows_of(M.RequestEvent, lambda i: _in(M.RequestEvent.request_id, i.requests)),
        erase=_erase_request_event,
        kept=FINANCE_KEPT,
    ),
    "invoice": about(
        N_("Invoices"),
        rows_of(M.Invoice, lambda i: _in(M.Invoice.request_id, i.requests)),
        erase=_erase_invoice,
        kept=FINANCE_KEPT,
    ),
    "payment": about(
        N_("Payments"),
        rows_of(M.Payment, lambda i: _in(M.Payment.request_id, i.requests)),
        erase=_scrub_fields("rejected_reason"),
        kept=FINANCE_KEPT,
    ),
    "receipt": about(
        N_("Receipts (kuitansi)"),
        rows_of(M.Receipt, lambda i: _in(M.Receipt.request_id, i.requests)),
        erase=_keep,
        kept=FINANCE_KEPT,
    ),
    "rating": about(
        N_("Satisfaction ratings"),
        rows_of(M.Rating, lambda i: or_(_in(M.Rating.request_id, i.requests), _in(M.Rating.ticket_id, i.tickets))),
        erase=_erase_rating,
        kept=REPORT_KEPT,
    ),
    "printjob": about(
        N_("Print jobs"), rows_of(M.PrintJob, lambda i: _in(M.PrintJob.id, i.jobs)), erase=_erase_print_job
    ),
    "printjobevent": about(
        N_("Print job history"),
        rows_of(M.PrintJobEvent, lambda i: _in(M.PrintJobEvent.job_id, i.jobs)),
        erase=_scrub_fields("detail"),
    ),
    "accesslog": about(
        N_("Who looked at this person's data"),
        rows_of(M.AccessLog, lambda i: M.AccessLog.visitor_id == i.visitor),
        erase=_keep,
        kept=LOG_KEPT,
    ),
    "privacyaction": about(
        N_("Rights actions (export, correction, merge, erasure)"),
        rows_of(M.PrivacyAction, lambda i: M.PrivacyAction.visitor_id == i.visitor),
        erase=_scrub_fields("reason", "detail"),
        kept=LOG_KEPT,
    ),
    "mailmessage": about(
        N_("E-mails sent to the person"),
        rows_of(M.MailMessage, lambda i: _in(M.MailMessage.id, i.mails)),
        erase=_erase_mail,
        kept=N_("Kept without the address or the text: that an e-mail of each kind was sent, and when."),
    ),
    "mailattachment": about(
        N_("Papers attached to e-mails"),
        rows_of(M.MailAttachment, lambda i: _in(M.MailAttachment.message_id, i.mails)),
        erase=_erase_attachment,
    ),
    "requestupload": about(
        N_("Files the person uploaded (abstract, signed SPPD, proof of transfer)"),
        rows_of(M.RequestUpload, lambda i: _in(M.RequestUpload.request_id, i.requests)),
        erase=_erase_upload,
        kept=N_("The files go; kind, size, checksum and time stay as the trace of what was handed in."),
    ),
    # ---- not about a visitor ----
    "office": not_personal("the office's own name and address"),
    "service": not_personal("the services the office offers"),
    "counter": not_personal("the office's counters"),
    "counterservice": not_personal("which counter serves which service"),
    "user": not_personal("staff accounts (staff data, not a visitor's; managed by the admin)"),
    "counterevent": not_personal("counters opened, paused and closed by staff"),
    "dailysequence": not_personal("the last ticket number per service and day"),
    "yearsequence": not_personal("the last document number per kind and year"),
    "printerstate": not_personal("what the print worker last learnt of each printer"),
    "printworkerlease": not_personal("which print worker process sends"),
    "scheduledrun": not_personal("when the daily purge last ran, with counts only"),
    "throttle": not_personal("attempt counters keyed by a kiosk's address or a request id, dropped within a day"),
    "mailworkerlease": not_personal("which mail worker process sends"),
    "specialday": not_personal("the office's closures and shortened days"),
    "device": not_personal("the office's paired kiosks and wall displays"),
    "staff_session": not_personal("staff sign-in sessions (staff data, not a visitor's)"),
    "sign_in_attempt": not_personal("staff sign-in attempts (staff usernames and addresses, not a visitor's)"),
    "audit_entry": not_personal(
        "changes of the office's set-up: staff usernames, staff accounts' names and roles, services, hours; the admin"
        " screens never write a visitor's data there"
    ),
}


# ---- files ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """Where files about visitors are written (given by the app: printer/ knows its directories, storage.py the
    uploads folder)."""

    slip_dirs: tuple[Path, ...] = ()
    uploads_dir: Path | None = None


def slip_files(session: Session, ids: Ids, places: Places) -> list[Path]:
    """The slip files a "file" printer wrote for the person's print jobs ("<job id:06d>-<kind>.escpos")."""
    out = []
    for d in places.slip_dirs:
        for job_id in ids.jobs:
            out += sorted(d.glob(f"{job_id:06d}-*.escpos"))
    return out


def upload_files(session: Session, ids: Ids, places: Places) -> list[Path]:
    """The files the person uploaded for their requests (instance/uploads/<office>/<stored name>)."""
    if places.uploads_dir is None or not ids.requests:
        return []
    names = session.exec(select(M.RequestUpload.stored_name).where(_in(M.RequestUpload.request_id, ids.requests)))
    return [p for p in (places.uploads_dir / n for n in names) if p.exists()]


FILE_HOLDERS: dict[str, Callable[[Session, Ids, Places], list[Path]]] = {
    "slips": slip_files,
    "uploads": upload_files,
}


def unclassified(metadata) -> list[str]:
    """Tables of a schema missing from REGISTRY (tests/privacy/test_registry.py fails on any)."""
    return sorted(set(metadata.tables) - set(REGISTRY))
