"""Load and validate config.toml, with environment overrides for what a deployment must change."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "config.toml"
DEFAULT_SQLITE = ROOT / "instance" / "loket.db"


def default_database_url() -> str:
    """The database when LOKET_DATABASE_URL is not set: SQLite in instance/."""
    return f"sqlite:///{DEFAULT_SQLITE}"


# The service time assumed before any visitor of a service was served (app.default_service_minutes).
DEFAULT_SERVICE_MINUTES = 8.0


class ConfigError(Exception):
    """A config file that cannot be used; the message names the key and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppSettings(_Strict):
    default_language: str = "id"
    recalls_before_no_show: int = Field(default=2, ge=0, le=10)
    default_service_minutes: float = Field(default=DEFAULT_SERVICE_MINUTES, gt=0, le=240)
    always_open: bool = False
    # Base URL printed in QR codes and links handed to visitors (e.g. "http://pst.local:5000"); empty: the
    # address the kiosk used to reach the server.
    public_url: str = ""
    # Hours a visitor's status link keeps working after their ticket (or paid-product request) closed.
    status_link_hours: float = Field(default=24, ge=0, le=24 * 90)

    @field_validator("default_language")
    @classmethod
    def _language(cls, v: str) -> str:
        if v not in ("id", "en"):
            raise ValueError("must be 'id' or 'en'")
        return v


class SecuritySettings(_Strict):
    """[security]: sessions, sign-in throttling, origins, rate limits and the demo (docs/SECURITY.md)."""

    # The demo that ./start.sh sets up (LOKET_DEMO=1): demo passwords allowed, kiosks paired automatically, a
    # banner on every staff screen. Never for real use.
    demo: bool = False
    # A staff session ends after this many minutes without a request, and this many hours after sign-in.
    session_idle_minutes: float = Field(default=30, gt=0, le=24 * 60)
    session_absolute_hours: float = Field(default=12, gt=0, le=24 * 31)
    # Cookies only over HTTPS; default: true when app.public_url starts with https://.
    secure_cookies: bool | None = None
    # Origins (scheme://host[:port]) besides app.public_url whose pages may open a Socket.IO connection.
    allowed_origins: list[str] = []
    # Reverse proxies in front of the server whose X-Forwarded-For/-Proto to trust (1 behind nginx).
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    min_password_length: int = Field(default=12, ge=8, le=128)
    # Sign-in throttling: failures of one account before each further try waits (1 s, 2 s, 4 s, ...), and
    # before the account is locked for lockout_minutes; failures from one address before it is locked.
    signin_delay_after: int = Field(default=3, ge=1, le=100)
    signin_lockout_after: int = Field(default=10, ge=2, le=1000)
    signin_address_lockout_after: int = Field(default=30, ge=2, le=10000)
    signin_lockout_minutes: float = Field(default=15, gt=0, le=24 * 60)
    # Rate limits (Flask-Limiter syntax, e.g. "30 per minute"): tickets per kiosk; visitor lookups, status
    # pages, ratings and pairing per address; sign-in requests per address.
    rate_ticket: str = "30 per minute"
    rate_public: str = "120 per minute"
    rate_signin: str = "30 per minute"
    # Where the counts live: "memory://" for one process; default: the message queue's Redis when set.
    rate_limit_storage: str = ""

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        """Each extra origin is scheme://host[:port], without a path."""
        for o in v:
            if not re.match(r"^https?://[^/\s]+$", o):
                raise ValueError(f"{o!r} is not an origin like https://pst.example.go.id (no path)")
        return v

    @field_validator("rate_ticket", "rate_public", "rate_signin")
    @classmethod
    def _rate(cls, v: str) -> str:
        """A rate Flask-Limiter understands."""
        from limits import parse_many

        try:
            parse_many(v)
        except ValueError:
            raise ValueError(f"{v!r} is not a rate such as '30 per minute'") from None
        return v


class PrivacySettings(_Strict):
    """How long personal data is kept, and how fast public endpoints may be asked (docs/PRIVACY.md)."""

    # Days a visit keeps what the visitor typed (name, e-mail, phone, institution, year of birth); the coarse
    # answers the reports count stay.
    visit_identity_days: int = Field(default=365, ge=1, le=3650)
    # Days without any activity (visit, request, payment) after which a person's record is anonymised.
    person_days: int = Field(default=730, ge=1, le=3650)
    # Days a finished print job keeps its contents (an invoice or receipt slip names the buyer).
    print_payload_days: int = Field(default=30, ge=1, le=3650)
    # Days a slip file written by a "file" printer stays (the demo prints into instance/prints/).
    slip_file_days: int = Field(default=7, ge=1, le=3650)
    # Days the access log keeps who read whose data.
    access_log_days: int = Field(default=730, ge=30, le=3650)
    # Days after a ticket or request closed before its visitor links are replaced (dead for good).
    visitor_link_days: int = Field(default=30, ge=1, le=3650)
    # Local hour from which the server runs the daily purge (once a day, in one process).
    purge_hour: int = Field(default=2, ge=0, le=23)
    # Returning-visitor look-ups one kiosk may make per minute.
    lookups_per_minute: int = Field(default=10, ge=1, le=600)
    # Wrong answers to "last 4 digits of your phone" before a request's papers lock for 15 minutes.
    paper_attempts: int = Field(default=5, ge=1, le=50)


class Complaints(_Strict):
    box: str = ""  # Indonesian
    box_en: str = ""  # English (the Indonesian when empty)
    lapor: str = ""
    web: str = ""
    email: str = ""
    whatsapp: str = ""


class HolidaySettings(_Strict):
    observe_public_holidays: bool = True
    observe_cuti_bersama: bool = True


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SpecialDaySettings(_Strict):
    """A closure or a day of shortened hours, seeded into the database (rules.special_days) at start-up."""

    date: date
    closed: bool = True
    hours: list[str] = []  # ["HH:MM", "HH:MM"] when open for shortened hours
    note: str = Field(default="", max_length=200)  # Indonesian
    note_en: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _hours(self) -> SpecialDaySettings:
        if self.closed:
            if self.hours:
                raise ValueError(f"{self.date}: a closed day has no hours (set closed = false for shortened hours)")
            return self
        if not (len(self.hours) == 2 and all(_HHMM.match(h) for h in self.hours) and self.hours[0] < self.hours[1]):
            raise ValueError(f'{self.date}: shortened hours need hours = ["HH:MM", "HH:MM"], opening first')
        return self


class OfficeSettings(_Strict):
    code: str = Field(pattern=r"^\d{4}$")
    name: str = Field(min_length=3)
    short_name: str = ""
    address: str = ""
    timezone: str = "Asia/Jakarta"
    service_limit_minutes: int = Field(default=10, ge=1, le=240)
    complaints: Complaints = Complaints()
    hours: dict[int, tuple[time, time]] = {}
    holidays: HolidaySettings = HolidaySettings()
    special_days: list[SpecialDaySettings] = []

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, v: dict) -> dict:
        out = {}
        for day, span in (v or {}).items():
            try:
                d = int(day)
            except ValueError:
                raise ValueError(f"day {day!r} must be an ISO weekday 1..7") from None
            if not 1 <= d <= 7:
                raise ValueError(f"day {day!r} must be an ISO weekday 1..7")
            if not (
                isinstance(span, list) and len(span) == 2 and all(isinstance(s, str) and _HHMM.match(s) for s in span)
            ):
                raise ValueError(f'day {day}: expected ["HH:MM", "HH:MM"], got {span!r}')
            start, end = (time.fromisoformat(s) for s in span)
            if end <= start:
                raise ValueError(f"day {day}: closing time {span[1]} is not after opening time {span[0]}")
            out[d] = (start, end)
        return out


class MailSettings(_Strict):
    """The SMTP server that sends the visitors' e-mails (the outbox worker uses it; mail/)."""

    enabled: bool = True  # false: messages wait in the outbox (visible on /mail/) until it is enabled
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    security: str = Field(default="none", pattern=r"^(none|starttls|ssl)$")
    username: str = ""
    password: str = ""  # better from the environment: LOKET_SMTP_PASSWORD
    from_addr: str = "pst1600@bps.go.id"
    from_name: str = "PST BPS"
    timeout_seconds: float = Field(default=20, gt=0, le=300)


class UploadSettings(_Strict):
    """Files visitors upload (abstract, signed SPPD, proof of a transfer): a size limit per file."""

    max_mb: float = Field(default=10, gt=0, le=100)


class ServiceSettings(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    name: str = Field(min_length=2)
    name_en: str = ""
    paid: bool = False


class CounterSettings(_Strict):
    number: int = Field(ge=1, le=99)
    name: str = ""
    services: list[str] = Field(min_length=1)
    printer: str = ""


class Settings(_Strict):
    app: AppSettings = AppSettings()
    security: SecuritySettings = SecuritySettings()
    privacy: PrivacySettings = PrivacySettings()
    office: OfficeSettings
    services: list[ServiceSettings] = Field(min_length=1)
    counters: list[CounterSettings] = Field(min_length=1)
    # Sections owned by other parts of the product (printers, tariffs, ...) are kept as raw tables
    # and validated by their owners.
    mail: MailSettings = MailSettings()
    uploads: UploadSettings = UploadSettings()
    printers: dict = {}
    stations: dict = {}
    # From the environment.
    database_url: str = ""
    secret_key: str = ""
    message_queue: str = ""
    # Redis pub/sub channel shared by every server process and external emitter of one deployment.
    message_queue_channel: str = "flask-socketio"

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        codes = [s.code for s in self.services]
        prefixes = [s.prefix for s in self.services]
        for name, values in (("services.code", codes), ("services.prefix", prefixes)):
            dup = {v for v in values if values.count(v) > 1}
            if dup:
                raise ValueError(f"{name}: duplicate value(s) {sorted(dup)}")
        numbers = [c.number for c in self.counters]
        dup = {n for n in numbers if numbers.count(n) > 1}
        if dup:
            raise ValueError(f"counters.number: duplicate value(s) {sorted(dup)}")
        for i, c in enumerate(self.counters):
            unknown = [s for s in c.services if s not in codes]
            if unknown:
                raise ValueError(f"counters[{i}].services: unknown service code(s) {unknown}; known: {codes}")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag: as configured, else when the public URL is https."""
        if self.security.secure_cookies is not None:
            return self.security.secure_cookies
        return self.app.public_url.startswith("https://")

    @property
    def origins(self) -> list[str]:
        """The origins whose pages may talk to the server (public URL and the extra ones); empty: same origin."""
        out = []
        if self.app.public_url:
            parts = self.app.public_url.split("/")
            out.append("/".join(parts[:3]))
        return out + [o for o in self.security.allowed_origins if o not in out]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.office.timezone)

    def office_fingerprint(self) -> str:
        """A hash of what rules.offices.sync_from_settings loads (office, services, counters): equal hashes,
        nothing to load."""
        import hashlib
        import json

        sections = {k: getattr(self, k) for k in ("office", "services", "counters")}
        data = {
            k: v.model_dump(mode="json") if isinstance(v, BaseModel) else [x.model_dump(mode="json") for x in v]
            for k, v in sections.items()
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _format_error(err: ValidationError, path: Path) -> str:
    lines = [f"Invalid configuration in {path}:"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (misspelt?)"
        # Cross-field checks name their own key in the message.
        lines.append(f"  - {loc}: {msg}" if loc else f"  - {msg}")
    return "\n".join(lines)


def load_settings(path: str | os.PathLike | None = None, env: dict | None = None) -> Settings:
    """Read the TOML file, apply environment overrides and validate; raise ConfigError with a clear message."""
    env = os.environ if env is None else env
    path = Path(path or env.get("LOKET_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"Invalid configuration in {path}: not valid TOML ({e})") from None
    for key, var in (
        ("database_url", "LOKET_DATABASE_URL"),
        ("secret_key", "LOKET_SECRET_KEY"),
        ("message_queue", "LOKET_MESSAGE_QUEUE"),
        ("message_queue_channel", "LOKET_MESSAGE_QUEUE_CHANNEL"),
    ):
        if env.get(var):
            raw[key] = env[var]
    for key, var in (
        ("host", "LOKET_SMTP_HOST"),
        ("port", "LOKET_SMTP_PORT"),
        ("security", "LOKET_SMTP_SECURITY"),
        ("username", "LOKET_SMTP_USER"),
        ("password", "LOKET_SMTP_PASSWORD"),
        ("from_addr", "LOKET_MAIL_FROM"),
    ):
        if env.get(var):
            raw.setdefault("mail", {})[key] = env[var]
    if env.get("LOKET_PUBLIC_URL"):
        raw.setdefault("app", {})["public_url"] = env["LOKET_PUBLIC_URL"]
    for key, var in (
        ("demo", "LOKET_DEMO"),
        ("trusted_proxies", "LOKET_TRUSTED_PROXIES"),
        ("rate_ticket", "LOKET_RATE_TICKET"),
        ("rate_public", "LOKET_RATE_PUBLIC"),
        ("rate_signin", "LOKET_RATE_SIGNIN"),
        ("rate_limit_storage", "LOKET_RATE_LIMIT_STORAGE"),
    ):
        if env.get(var):
            raw.setdefault("security", {})[key] = env[var]
    if env.get("LOKET_ALWAYS_OPEN"):
        raw.setdefault("app", {})["always_open"] = env["LOKET_ALWAYS_OPEN"].lower() in ("1", "true", "yes")
    try:
        return Settings.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(_format_error(e, path)) from None
