"""The tables of Loket (SQLModel), one module per feature, re-exported here so `from models import Ticket` works.

- `models.office`: the office, services, counters, staff accounts;
- `models.queue`: visitors, guest book, daily numbers, tickets and their events, counter events;
- `models.printing`: the print queue and printers' states;
- `models.requests`: paid-product requests, invoices, payments, receipts, ratings, uploads;
- `models.mail`: the e-mail outbox, its attachments and the mail worker's lease;
- `models.security`: staff sessions, sign-in attempts, registered kiosks and displays;
- `models.privacy`: the access log, rights actions, the daily purge's run, attempt counters.

Every office-owned row carries office_id; times are aware UTC. Migrations live in migrations/versions/ and
tests/models/test_migrations.py fails when the models and the migrations differ.
"""

from models.common import DEAD, dead_token, new_token
from models.mail import MailAttachment, MailMessage, MailStatus, MailWorkerLease
from models.office import AuditEntry, Counter, CounterService, CounterStatus, Office, Role, Service, SpecialDay, User
from models.printing import PrinterState, PrintJob, PrintJobEvent, PrintJobStatus, PrintWorkerLease
from models.privacy import AccessLog, PrivacyAction, ScheduledRun, Throttle
from models.queue import CounterEvent, DailySequence, GuestBookEntry, Ticket, TicketEvent, TicketStatus, Visitor
from models.requests import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    ProductRequest,
    Rating,
    Receipt,
    RequestDocument,
    RequestEvent,
    RequestLine,
    RequestState,
    RequestUpload,
    YearSequence,
)
from models.security import Device, DeviceKind, SignInAttempt, StaffSession

__all__ = [
    "AuditEntry",
    "MailAttachment",
    "MailMessage",
    "MailStatus",
    "MailWorkerLease",
    "RequestUpload",
    "SpecialDay",
    "DEAD",
    "AccessLog",
    "Counter",
    "CounterEvent",
    "CounterService",
    "CounterStatus",
    "DailySequence",
    "Device",
    "DeviceKind",
    "GuestBookEntry",
    "Invoice",
    "InvoiceStatus",
    "Office",
    "Payment",
    "PaymentStatus",
    "PrintJob",
    "PrintJobEvent",
    "PrintJobStatus",
    "PrivacyAction",
    "PrintWorkerLease",
    "PrinterState",
    "ProductRequest",
    "Rating",
    "Receipt",
    "RequestDocument",
    "RequestEvent",
    "RequestLine",
    "RequestState",
    "Role",
    "ScheduledRun",
    "Service",
    "SignInAttempt",
    "StaffSession",
    "Throttle",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "User",
    "Visitor",
    "YearSequence",
    "dead_token",
    "new_token",
]
