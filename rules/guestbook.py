"""The guest book: the fields BPS asks of a visitor, their validation, and recognising a returning visitor (by
e-mail and phone together) without revealing or changing what is on record about them."""

from __future__ import annotations

import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import bindparam
from sqlmodel import Session, select
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from clock import utcnow
from models import GuestBookEntry, Office, Service, Ticket, Visitor
from rules import consent, tickets
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
# Segment of a guest-book institution category: a 'private' buyer of a paid product gives an NPWP when the
# request is made (rules/requests/documents.py), never at the guest book; the zero-tariff segments are those of
# PP 13/2024 Pasal 4.
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


# The purpose a returning visitor may choose at the kiosk after "I have been here before": their last visit's.
LAST_PURPOSE = "last"
# Asked of everyone on every visit: e-mail, phone, purpose, service, consent. These may be left blank by a
# returning visitor (their record's answers are used):
PROFILE_FIELDS = ("name", "gender", "birth_year", "education", "occupation", "institution_category")
# What a recognised visitor's visit may update on their record: the coarse choices the reports count (as last
# recorded) and the segment the tariff follows. Never the identity (name, e-mail, phone, institution, NPWP).
COARSE_FIELDS = ("education", "occupation", "institution_category")


class GuestBookForm(BaseModel):
    """What a visitor types at the kiosk; every field validated with a message that says what is wrong.

    The profile (name, gender, year of birth, education, occupation, institution) may be left blank: a
    returning visitor, recognised by e-mail and phone together, keeps the answers on record. For anyone else
    sign_and_take_ticket asks for the blank ones (missing_for_new_person).
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    name: str | None = Field(default=None, min_length=2, max_length=120)
    email: str
    phone: str
    gender: str | None = None
    birth_year: int | None = None
    education: str | None = None
    occupation: str | None = None
    institution_category: str | None = None
    institution_name: str = Field(default="", max_length=200)
    purpose: str  # LAST_PURPOSE: a recognised visitor's purpose of their last visit (sign_and_take_ticket)
    purpose_note: str = Field(default="", max_length=300)
    service_id: int
    npwp: str = ""
    priority_reason: str = ""
    consent: bool
    # Validated even when left out: a visit always stores a known version.
    consent_version: str = Field(default="", max_length=32, validate_default=True)

    @field_validator(*PROFILE_FIELDS, mode="before")
    @classmethod
    def _blank(cls, v):
        """An empty profile answer is no answer (a returning visitor keeps the record's)."""
        return None if v is None or (isinstance(v, str) and not v.strip()) else v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is None:
            return v
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
    def _gender(cls, v: str | None) -> str | None:
        if v is not None and v not in GENDERS:
            raise ValueError(N_("Choose a gender."))
        return v

    @field_validator("birth_year")
    @classmethod
    def _birth_year(cls, v: int | None) -> int | None:
        this_year = utcnow().year
        if v is not None and not this_year - 110 <= v <= this_year - 10:
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
    def _education(cls, v: str | None) -> str | None:
        if v is not None and v not in EDUCATION:
            raise ValueError(N_("Choose your highest education."))
        return v

    @field_validator("occupation")
    @classmethod
    def _occupation(cls, v: str | None) -> str | None:
        if v is not None and v not in OCCUPATIONS:
            raise ValueError(N_("Choose your main occupation."))
        return v

    @field_validator("institution_category")
    @classmethod
    def _category(cls, v: str | None) -> str | None:
        if v is not None and v not in INSTITUTION_CATEGORIES:
            raise ValueError(N_("Choose the kind of institution."))
        return v

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, v: str) -> str:
        if v not in PURPOSES and v != LAST_PURPOSE:
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

    @field_validator("consent_version")
    @classmethod
    def _consent_version(cls, v: str) -> str:
        """A known version of the consent text, else the current one."""
        # The version the kiosk page showed (a page open since before a new text still stores the one read).
        return v if v and consent.get(v) is not None else consent.current().version

    @model_validator(mode="after")
    def _cross(self) -> GuestBookForm:
        if self.purpose == "other" and not self.purpose_note:
            raise _field_error("purpose_note", N_("Describe the purpose of your visit."))
        if self.npwp:
            try:
                self.npwp = stdnum_npwp.validate(self.npwp)
            except StdnumError:
                raise _field_error("npwp", N_("This NPWP is not valid (15 or 16 digits).")) from None
        return self

    @property
    def segment(self) -> str:
        """The segment of the institution category typed ('' when left blank)."""
        if not self.institution_category:
            return ""
        return SEGMENT_OF_CATEGORY.get(self.institution_category, "other")

    def missing_for_new_person(self) -> dict[str, str]:
        """{field: msgid} of what a visitor not recognised must still fill in (blank profile answers, the
        institution's name). No NPWP: it is asked only when a private buyer requests a paid product."""
        out = {f: N_("This field is required.") for f in PROFILE_FIELDS if getattr(self, f) is None}
        if self.institution_category not in (None, "individual") and not self.institution_name:
            out["institution_name"] = N_("Enter the name of your institution.")
        return out


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


# A choice left unmade says which choice (a generic "required" under a row of buttons explains nothing).
MISSING = {
    "service_id": N_("Choose a service."),
    "purpose": N_("Choose the main purpose of your visit."),
}


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
            msg = MISSING.get(field, N_("This field is required."))
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


def normalize_email(value: str) -> str:
    """An e-mail as the guest book stores it (normalised, lower case), or '' when it is not an address."""
    try:
        return validate_email(value or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return ""


# Read for every ticket taken at a kiosk: built once, with bind parameters (see rules/tickets.py).
_RECOGNISED = (
    select(Visitor)
    .where(
        Visitor.office_id == bindparam("office_id"),
        Visitor.email == bindparam("email"),
        Visitor.phone == bindparam("phone"),
        Visitor.erased_at.is_(None),
    )
    .order_by(Visitor.id.desc())
    .limit(1)
)


def recognise(session: Session, *, office_id: int, email: str, phone: str) -> Visitor | None:
    """A returning visitor: the person whose record has both this e-mail and this phone, else None.

    One of the two is not enough: anyone may know someone's e-mail (the issue's intruder typed one).
    """
    email, phone = normalize_email(email), normalize_phone(phone)
    if not email or not _PHONE.match(phone):
        return None
    return session.exec(_RECOGNISED, params={"office_id": office_id, "email": email, "phone": phone}).first()


def _with_purpose(session: Session, form: GuestBookForm, visitor: Visitor | None) -> GuestBookForm:
    """The form with its purpose: as chosen, or for a recognised visitor who chose "as on my last visit" (the
    kiosk offers it after "I have been here before") that visit's purpose. Anyone else must choose one."""
    if form.purpose != LAST_PURPOSE:
        return form
    last = None
    if visitor is not None:
        last = session.exec(
            select(GuestBookEntry)
            .where(GuestBookEntry.visitor_id == visitor.id, GuestBookEntry.purpose != "")
            .order_by(GuestBookEntry.created_at.desc(), GuestBookEntry.id.desc())
        ).first()
    if last is None:
        raise FieldsInvalid({"purpose": N_("Choose the main purpose of your visit.")})
    return form.model_copy(update={"purpose": last.purpose, "purpose_note": last.purpose_note})


def sign_and_take_ticket(
    session: Session, *, office: Office, form: GuestBookForm, now: datetime | None = None
) -> Ticket:
    """Record the visit's guest-book line (as typed) and issue the ticket, in one transaction.

    A visitor recognised by e-mail and phone together is linked to their record: blank profile answers keep
    the record's, coarse choices typed now update it (reports count the profile as last recorded), an NPWP
    typed fills an empty one and never replaces one; name, e-mail, phone and institution stay as recorded
    (a different name typed is kept on the visit for staff to see). Anyone else gets a new record of what
    they typed. Merging two records of one person is a staff decision (the rights screen), recorded.
    """
    now = now or utcnow()
    service = session.get(Service, form.service_id)
    if service is None or service.office_id != office.id or not service.active:
        from rules.errors import NotFound

        raise NotFound("service_not_found", N_("This service does not exist at this office."))
    visitor = session.exec(
        _RECOGNISED, params={"office_id": office.id, "email": form.email, "phone": form.phone}
    ).first()
    form = _with_purpose(session, form, visitor)
    if visitor is None:
        missing = form.missing_for_new_person()
        if missing:
            raise FieldsInvalid(missing)
        visitor = Visitor(
            office_id=office.id,
            name=form.name,
            email=form.email,
            phone=form.phone,
            gender=form.gender,
            birth_year=form.birth_year,
            education=form.education,
            occupation=form.occupation,
            institution_category=form.institution_category,
            institution_name=form.institution_name,
            segment=form.segment,
            npwp=form.npwp,
            created_at=now,
            updated_at=now,
        )
    else:
        for field in COARSE_FIELDS:
            typed = getattr(form, field)
            if typed and typed != getattr(visitor, field):
                setattr(visitor, field, typed)
                visitor.updated_at = now
        if form.segment and form.segment != visitor.segment:
            visitor.segment = form.segment
        if form.npwp and not visitor.npwp:
            visitor.npwp, visitor.updated_at = form.npwp, now
    session.add(visitor)
    session.flush()
    entry = GuestBookEntry(
        office_id=office.id,
        visitor_id=visitor.id,
        service_id=service.id,
        purpose=form.purpose,
        purpose_note=form.purpose_note,
        consent_at=now,
        consent_version=form.consent_version,
        created_at=now,
        name=form.name or "",
        email=form.email,
        phone=form.phone,
        gender=form.gender or "",
        birth_year=form.birth_year,
        education=form.education or "",
        occupation=form.occupation or "",
        institution_category=form.institution_category or "",
        institution_name=form.institution_name,
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
