"""What goes on paper, as plain data: the ticket, invoice and receipt shapes, and how amounts and times read.

Other parts of Loket build these dicts and hand them to ``printer.jobs.enqueue_invoice`` /
``enqueue_receipt`` (thermal slip) or to ``printer.pdf.invoice_pdf`` / ``receipt_pdf`` (A4). A dict is
validated here into a typed document first, so a missing field fails loudly where it is built, not on paper.

Invoice dict::

    {
      "office": {"name": "BPS Provinsi Sumatera Selatan", "address": "Jl. ...", "code": "1600",
                 # optional: "short_name", "phone", "email", "website", "city", "timezone" (Asia/Jakarta)
                },
      "number": "INV/1600/2026/00012",
      "issued_at": "2026-11-29T03:15:00+00:00",   # aware datetime or ISO 8601 string
      "valid_until": "2026-12-29",                 # date, datetime or ISO string (valid 1 month)
      "billing_code": "820261129000123",           # SIMPONI kode billing (15 digits)
      "buyer": {"name": "Siti Aminah", "institution": "Universitas Sriwijaya"},
      "lines": [{"description": "Publikasi elektronik: Sumsel Dalam Angka 2026", "quantity": 2,
                 "unit": "50 halaman", "unit_price": 50000, "amount": 65000,
                 "rule": "PP 13/2024: 50 halaman pertama Rp 50.000, tiap 50 halaman berikutnya Rp 15.000"}],
      "total": 65000,                               # rupiah; must equal the sum of the line amounts
      "officer": {"name": "Petugas Satu", "nip": "19800101 200501 1 001"},   # or just a name string
      "verify_url": "https://pst.example/v/INV...",
      "notes": ["Tagihan berlaku 1 bulan.", "..."],
    }

Receipt (kuitansi) dict::

    {
      "office": {...as above...},
      "number": "KW/1600/2026/00007",
      "issued_at": ..., "invoice_number": "INV/1600/2026/00012", "billing_code": "820261129000123",
      "ntpn": "A1B2C3D4E5F6G7H8",                  # 16 letters and digits from the state treasury
      "paid_at": ...,
      "payer": {"name": "...", "institution": "..."},
      "lines": [...as above...], "total": 65000,
      "treasurer": {"name": "Bendahara Penerimaan", "nip": "..."},           # or a name string
      "verify_url": "...",
      "notes": [],                                  # optional
    }

Amounts are whole rupiah (int, Decimal or a digit string); quantities may have decimals. Times are shown in
the office's zone (WIB for Asia/Jakarta).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from num2words import num2words
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
BABEL_LOCALE = {"id": "id_ID", "en": "en_GB"}


# ---- how amounts, dates and times read ------------------------------------------------------------


def rupiah(amount) -> str:
    """An amount in rupiah the Indonesian way, 'Rp 1.250.000' (Babel's id_ID grouping, no sen)."""
    return format_currency(Decimal(amount), "IDR", format="¤ #,##0", locale="id_ID", currency_digits=False)


def terbilang(amount, lang: str = "id") -> str:
    """The amount in words, as a receipt carries it: 'satu juta rupiah', 'sebelas ribu sebelas rupiah',
    'nol rupiah' (num2words; English words in English mode: 'one million rupiah')."""
    words = num2words(int(Decimal(amount)), lang="en" if lang == "en" else "id")
    return f"{words} rupiah"


def quantity(value) -> str:
    """A quantity with Indonesian separators: 2, 1,5, 12.000."""
    return format_decimal(Decimal(value), locale="id_ID")


def zone_abbreviation(tz: str) -> str:
    return ZONE_ABBREVIATIONS.get(tz) or datetime.now(ZoneInfo(tz)).tzname() or tz


def local_date(moment: datetime | date, tz: str, lang: str = "id") -> str:
    """'29 November 2026' in the office's zone."""
    day = moment.astimezone(ZoneInfo(tz)).date() if isinstance(moment, datetime) else moment
    return format_date(day, "d MMMM y", locale=BABEL_LOCALE.get(lang, "id_ID"))


def local_time(moment: datetime, tz: str) -> str:
    """'10.21 WIB' (Indonesian writes hours and minutes with a dot)."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%H.%M") + " " + zone_abbreviation(tz)


def local_datetime(moment: datetime, tz: str, lang: str = "id") -> str:
    return f"{local_date(moment, tz, lang)} {local_time(moment, tz)}"


# ---- the shapes -----------------------------------------------------------------------------------


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _aware(v):
    if isinstance(v, str):
        v = datetime.fromisoformat(v)
    if isinstance(v, datetime) and v.tzinfo is None:
        raise ValueError("times must be timezone-aware (UTC)")
    return v


class OfficeInfo(_Doc):
    name: str = Field(min_length=1)
    address: str = ""
    code: str = ""
    short_name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    city: str = ""
    timezone: str = "Asia/Jakarta"


class Party(_Doc):
    name: str = ""
    institution: str = ""


class Signatory(_Doc):
    name: str = ""
    nip: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, v):
        return {"name": v} if isinstance(v, str) else v


class Line(_Doc):
    description: str = Field(min_length=1)
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal = Decimal(0)
    amount: Decimal
    rule: str = ""


class _Paper(_Doc):
    office: OfficeInfo
    number: str = Field(min_length=1)
    issued_at: datetime
    lines: list[Line] = []
    total: Decimal
    verify_url: str = ""
    notes: list[str] = []

    @field_validator("issued_at", mode="before")
    @classmethod
    def _issued(cls, v):
        return _aware(v)

    @model_validator(mode="after")
    def _total(self):
        s = sum((line.amount for line in self.lines), Decimal(0))
        if s != self.total:
            raise ValueError(f"total {self.total} is not the sum of the line amounts ({s})")
        return self


class InvoiceDoc(_Paper):
    valid_until: date
    billing_code: str = ""
    buyer: Party = Party()
    officer: Signatory = Signatory()

    @field_validator("valid_until", mode="before")
    @classmethod
    def _valid_until(cls, v):
        if isinstance(v, str):
            v = datetime.fromisoformat(v) if "T" in v or " " in v else date.fromisoformat(v)
        if isinstance(v, datetime):
            v = v.date()
        return v


class ReceiptDoc(_Paper):
    invoice_number: str = ""
    billing_code: str = ""
    ntpn: str = ""
    paid_at: datetime
    payer: Party = Party()
    treasurer: Signatory = Signatory()

    @field_validator("paid_at", mode="before")
    @classmethod
    def _paid(cls, v):
        return _aware(v)


class TicketDoc(_Doc):
    """The queue ticket slip, built from the ticket row by ``ticket_document``."""

    office: OfficeInfo
    service: str
    code: str
    issued_at: datetime
    priority_reason: str = ""
    ahead: int = 0
    estimate_minutes: int | None = None
    limit_minutes: int = 10
    status_url: str = ""
    complaints: dict[str, str] = {}


def invoice(data: dict | InvoiceDoc) -> InvoiceDoc:
    return data if isinstance(data, InvoiceDoc) else InvoiceDoc.model_validate(data)


def receipt(data: dict | ReceiptDoc) -> ReceiptDoc:
    return data if isinstance(data, ReceiptDoc) else ReceiptDoc.model_validate(data)


def jsonable(doc: dict) -> dict:
    """A document dict with Decimal, date and datetime as JSON-safe strings (for a print job's payload)."""

    def conv(v):
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        if isinstance(v, (datetime, date, time)):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return v

    return conv(doc)


# ---- the ticket, from the database ----------------------------------------------------------------


def ticket_document(session, ticket, settings, *, status_url: str | None = None) -> TicketDoc:
    """What the ticket slip says, read from the ticket row now (people ahead and wait as of printing)."""
    from links import ticket_status_url
    from models import Office, Service
    from rules import lines, offices
    from rules.estimate import estimated_wait_minutes

    office = session.get(Office, ticket.office_id)
    service = session.get(Service, ticket.issued_service_id or ticket.service_id)
    ahead = lines.people_ahead(session, ticket)
    wait = estimated_wait_minutes(
        session,
        office_id=office.id,
        service_id=ticket.service_id,
        ahead=ahead,
        default_minutes=settings.app.default_service_minutes,
    )
    lang = settings.app.default_language
    return TicketDoc(
        office=OfficeInfo(
            name=office.name,
            short_name=office.short_name,
            address=office.address,
            code=office.code,
            timezone=office.timezone,
        ),
        service=offices.service_name(service, lang),
        code=ticket.code,
        issued_at=ticket.issued_at,
        priority_reason=ticket.priority_reason,
        ahead=ahead,
        estimate_minutes=wait,
        limit_minutes=office.service_limit_minutes,
        status_url=status_url or ticket_status_url(settings, ticket.status_token),
        complaints={k: v for k, v in settings.office.complaints.model_dump().items() if v},
    )
