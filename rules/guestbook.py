"""The guest book: the fields BPS asks of a visitor, their validation, and finding a returning visitor."""

from __future__ import annotations

import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import bindparam
from sqlmodel import Session, or_, select
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from clock import utcnow
from models import GuestBookEntry, Office, Service, Ticket, Visitor
from rules import tickets
from rules.errors import N_, RuleError

# Codes stored in the database; screens show them through the message catalogs.
GENDERS = ("L", "P")  # laki-laki, perempuan
EDUCATION = ("sd", "smp", "sma", "d1_d3", "d4_s1", "s2", "s3")
OCCUPATIONS = (
    "student",
    "lecturer_teacher",
    "researcher",
    "civil_servant",
    "military_police",
    "private_employee",
    "entrepreneur",
    "other",
)
INSTITUTION_CATEGORIES = (
    "central_government",
    "regional_government",
    "domestic_education",
    "foreign_mission",
    "international_org",
    "state_enterprise",
    "private",
    "individual",
    "other",
)
PURPOSES = ("coursework", "thesis", "research", "government_planning", "business", "other")
# Segment of a guest-book institution category: 'private' buyers must give an NPWP; the zero-tariff
# segments are those of PP 13/2024 Pasal 4.
SEGMENT_OF_CATEGORY = {
    "central_government": "government",
    "regional_government": "government",
    "domestic_education": "education",
    "foreign_mission": "international",
    "international_org": "international",
    "state_enterprise": "private",
    "private": "private",
    "individual": "individual",
    "other": "other",
}
_PHONE = re.compile(r"^(?:\+?62|0)8\d{7,11}$")


def normalize_phone(value: str) -> str:
    """'+62 812-3456-7890' -> '081234567890'."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


class GuestBookForm(BaseModel):
    """What a visitor types at the kiosk; every field validated with a message that says what is wrong."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    name: str = Field(min_length=2, max_length=120)
    email: str
    phone: str
    gender: str
    birth_year: int
    education: str
    occupation: str
    institution_category: str
    institution_name: str = Field(default="", max_length=200)
    purpose: str
    purpose_note: str = Field(default="", max_length=300)
    service_id: int
    npwp: str = ""
    priority_reason: str = ""
    consent: bool

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not re.search(r"[^\W\d_]", v):
            raise ValueError(N_("Enter your name in letters."))
        return re.sub(r"\s+", " ", v)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        try:
            return validate_email(v, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise ValueError(N_("Enter a valid email address, e.g. nama@contoh.id.")) from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        p = normalize_phone(v)
        if not _PHONE.match(p):
            raise ValueError(N_("Enter an Indonesian mobile number, e.g. 0812 3456 7890."))
        return p

    @field_validator("gender")
    @classmethod
    def _gender(cls, v: str) -> str:
        if v not in GENDERS:
            raise ValueError(N_("Choose a gender."))
        return v

    @field_validator("birth_year")
    @classmethod
    def _birth_year(cls, v: int) -> int:
        this_year = utcnow().year
        if not this_year - 110 <= v <= this_year - 10:
            # Raised with its parameters, so the screen translates the msgid before filling them in.
            raise FieldError(
                "birth_year",
                N_("Enter a year of birth between %(low)s and %(high)s."),
                low=this_year - 110,
                high=this_year - 10,
            )
        return v

    @field_validator("education")
    @classmethod
    def _education(cls, v: str) -> str:
        if v not in EDUCATION:
            raise ValueError(N_("Choose your highest education."))
        return v

    @field_validator("occupation")
    @classmethod
    def _occupation(cls, v: str) -> str:
        if v not in OCCUPATIONS:
            raise ValueError(N_("Choose your main occupation."))
        return v

    @field_validator("institution_category")
    @classmethod
    def _category(cls, v: str) -> str:
        if v not in INSTITUTION_CATEGORIES:
            raise ValueError(N_("Choose the kind of institution."))
        return v

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, v: str) -> str:
        if v not in PURPOSES:
            raise ValueError(N_("Choose the main purpose of your visit."))
        return v

    @field_validator("priority_reason")
    @classmethod
    def _priority(cls, v: str) -> str:
        if v and v not in tickets.PRIORITY_REASONS:
            raise ValueError(N_("Choose a priority reason from the list."))
        return v

    @field_validator("consent")
    @classmethod
    def _consent(cls, v: bool) -> bool:
        if not v:
            raise ValueError(N_("Please agree to the use of your data to continue."))
        return v

    @model_validator(mode="after")
    def _cross(self) -> GuestBookForm:
        if self.institution_category not in ("individual",) and not self.institution_name:
            raise _field_error("institution_name", N_("Enter the name of your institution."))
        if self.purpose == "other" and not self.purpose_note:
            raise _field_error("purpose_note", N_("Describe the purpose of your visit."))
        # A private buyer without an NPWP here may have one on file (returning visitor): that is checked
        # against the guest book in sign_and_take_ticket, not here.
        if self.npwp:
            try:
                self.npwp = stdnum_npwp.validate(self.npwp)
            except StdnumError:
                raise _field_error("npwp", N_("This NPWP is not valid (15 or 16 digits).")) from None
        return self

    @property
    def segment(self) -> str:
        return SEGMENT_OF_CATEGORY.get(self.institution_category, "other")


class FieldsInvalid(RuleError):
    """A form refused field by field after looking at the database (the API answers it like a form error)."""

    status = 400

    def __init__(self, fields: dict[str, str]):
        super().__init__("invalid", N_("Please check the highlighted fields."))
        self.fields = fields


class FieldError(ValueError):
    """A problem attached to one field; `message` is a msgid, `params` fill its %(name)s placeholders."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message % params if params else message)
        self.field, self.msgid, self.params = field, message, params


class Message(str):
    """A field's message in English (the str itself), with its msgid and parameters for translating."""

    def __new__(cls, msgid: str, params: dict | None = None):
        obj = super().__new__(cls, msgid % params if params else msgid)
        obj.msgid, obj.params = msgid, params or {}
        return obj


def _field_error(field: str, message: str) -> FieldError:
    return FieldError(field, message)


def errors_by_field(err: ValidationError) -> dict[str, str]:
    """Pydantic's errors as {field: message} (first message per field), for the kiosk form."""
    out: dict[str, str] = {}
    for e in err.errors():
        ctx_err = (e.get("ctx") or {}).get("error")
        if isinstance(ctx_err, FieldError):
            out.setdefault(ctx_err.field, Message(ctx_err.msgid, ctx_err.params))
            continue
        field = str(e["loc"][0]) if e["loc"] else "form"
        if e["type"] == "missing":
            msg = N_("This field is required.")
        elif e["type"] in ("int_parsing", "int_type"):
            msg = N_("Enter a number.")
        elif e["type"] == "string_too_short":
            msg = N_("This field is too short.")
        elif e["type"] == "string_too_long":
            msg = N_("This field is too long.")
        elif e["type"] in ("bool_parsing", "bool_type"):
            msg = N_("Please agree to the use of your data to continue.")
        else:
            msg = e["msg"].removeprefix("Value error, ")
        out.setdefault(field, msg)
    return out


def find_visitor(session: Session, *, office_id: int, email: str = "", phone: str = "") -> Visitor | None:
    """A returning visitor by email or phone (most recently updated first)."""
    conds = []
    if email:
        conds.append(Visitor.email == email.strip().lower())
    if phone:
        p = normalize_phone(phone)
        if _PHONE.match(p):
            conds.append(Visitor.phone == p)
    if not conds:
        return None
    return session.exec(
        select(Visitor).where(Visitor.office_id == office_id, or_(*conds)).order_by(Visitor.updated_at.desc()).limit(1)
    ).first()


def prefill(visitor: Visitor) -> dict:
    """What the kiosk may fill in for a returning visitor: no NPWP (only whether one is on file)."""
    return {
        "name": visitor.name,
        "email": visitor.email,
        "phone": visitor.phone,
        "gender": visitor.gender,
        "birth_year": visitor.birth_year,
        "education": visitor.education,
        "occupation": visitor.occupation,
        "institution_category": visitor.institution_category,
        "institution_name": visitor.institution_name,
        "has_npwp": bool(visitor.npwp),
    }


# Read for every ticket taken at a kiosk: built once, with bind parameters (see rules/tickets.py).
_VISITOR_BY_EMAIL = select(Visitor).where(
    Visitor.office_id == bindparam("office_id"), Visitor.email == bindparam("email")
)


def sign_and_take_ticket(
    session: Session, *, office: Office, form: GuestBookForm, now: datetime | None = None
) -> Ticket:
    """Record the guest-book line (creating or updating the visitor) and issue the ticket, in one transaction."""
    now = now or utcnow()
    service = session.get(Service, form.service_id)
    if service is None or service.office_id != office.id or not service.active:
        from rules.errors import NotFound

        raise NotFound("service_not_found", N_("This service does not exist at this office."))
    visitor = session.exec(_VISITOR_BY_EMAIL, params={"office_id": office.id, "email": form.email}).first()
    if form.segment == "private" and not form.npwp and not (visitor is not None and visitor.npwp):
        # The kiosk tells a returning private buyer "an NPWP is on file, leave empty to keep it".
        raise FieldsInvalid({"npwp": N_("An NPWP is required for private-sector buyers.")})
    if visitor is None:
        visitor = Visitor(office_id=office.id, name=form.name, email=form.email, created_at=now)
    for field in (
        "name",
        "phone",
        "gender",
        "birth_year",
        "education",
        "occupation",
        "institution_category",
        "institution_name",
    ):
        setattr(visitor, field, getattr(form, field))
    visitor.segment = form.segment
    if form.npwp:
        visitor.npwp = form.npwp
    visitor.updated_at = now
    session.add(visitor)
    session.flush()
    entry = GuestBookEntry(
        office_id=office.id,
        visitor_id=visitor.id,
        service_id=service.id,
        purpose=form.purpose,
        purpose_note=form.purpose_note,
        consent_at=now,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return tickets.issue_ticket(
        session,
        office=office,
        service=service,
        visitor_id=visitor.id,
        guestbook_id=entry.id,
        priority_reason=form.priority_reason,
        now=now,
    )
