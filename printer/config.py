"""The [printers] and [stations] sections of config.toml, validated: which printer each kiosk and counter uses.

A *printer* is a device (how to reach it, paper width, python-escpos profile). A *station* is a place that
asks for paper (``kiosk-1``, ``counter-2``, ``treasurer``) and names its printer. Counters get the station
``counter-<number>``; a counter's ``printer = "..."`` key in [[counters]] is the same as a [stations] line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from settings import ROOT, ConfigError, Settings

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# The printable dots per line of most printers of each paper width (203 dpi print heads: 48 mm and 72 mm).
DOTS_BY_PAPER = {58: 384, 80: 576}
# No head prints wider than its paper: at 203 dpi (8 dots a millimetre) 58 mm is 464 dots and 80 mm 640.
MAX_DOTS_BY_PAPER = {58: 464, 80: 640}
# A character of font A is 12 dots wide, of font B 9 (ESC/POS's standard fonts, 12x24 and 9x17).
FONT_A_DOTS, FONT_B_DOTS = 12, 9
TREASURER_STATION = "treasurer"


def counter_station(number: int) -> str:
    """The station name of a counter: where its invoices and slips are printed."""
    return f"counter-{number}"


def _escpos_profiles() -> dict:
    from escpos.capabilities import CAPABILITIES

    return CAPABILITIES["profiles"]


def _hex_or_int(v):
    """USB ids are written as in lsusb ("0x04b8" or "04b8") or as integers."""
    if isinstance(v, str):
        try:
            return int(v, 16)
        except ValueError:
            raise ValueError(f'expected a hexadecimal USB id like "0x04b8", got {v!r}') from None
    return v


class _Printer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = ""
    label_en: str = ""  # the label on English screens (the Indonesian when empty)
    paper_mm: Literal[58, 80] = 80
    # A python-escpos printer profile (escpos.capabilities): it decides native QR codes, cuts, columns.
    profile: str = "default"
    # Printable dots per line from the printer's specification; default 384 (58 mm) or 576 (80 mm).
    dots: int | None = Field(default=None, ge=200, le=640)
    # Characters per line in font A; default from the profile, else from the dots (12 dots a character).
    columns: int | None = Field(default=None, ge=16, le=80)
    # Language of the slip; default [app].default_language.
    language: Literal["id", "en"] | None = None
    cut: Literal["full", "partial", "none"] = "partial"
    # Seconds to wait for the printer's answer after a slip before calling it unconfirmed (status queries on).
    confirm_timeout: float = Field(default=5.0, gt=0, le=60)

    @field_validator("profile")
    @classmethod
    def _profile(cls, v: str) -> str:
        profiles = _escpos_profiles()
        if v not in profiles:
            raise ValueError(f"unknown python-escpos profile {v!r}; known: {', '.join(sorted(profiles))}")
        return v

    @model_validator(mode="after")
    def _paper_profile_dots(self) -> _Printer:
        """Paper width, profile and dots must agree, or every slip wraps (or prints a narrow strip)."""
        problem = paper_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def profile_width(self) -> tuple[float | None, int | None]:
        """The profile's printable width (mm, dots), each None where python-escpos does not know it."""
        width = _escpos_profiles()[self.profile].get("media", {}).get("width", {})
        mm, px = width.get("mm"), width.get("pixels")
        return (mm if isinstance(mm, (int, float)) else None, px if isinstance(px, int) else None)

    @property
    def line_dots(self) -> int:
        """The printer's printable dots per line: as configured, else the usual head for the paper."""
        return self.dots or DOTS_BY_PAPER[self.paper_mm]

    def _font_columns(self, font: str) -> int | None:
        mm, px = self.profile_width
        if mm is None or px is None or px > self.line_dots:
            return None
        cols = _escpos_profiles()[self.profile].get("fonts", {}).get(font, {}).get("columns")
        return int(cols) if isinstance(cols, int) else None

    @property
    def line_columns(self) -> int:
        """Characters per line in font A: configured, else the profile's, else what the dots hold."""
        return self.columns or self._font_columns("0") or self.line_dots // FONT_A_DOTS

    @property
    def has_small_font(self) -> bool:
        """Whether the profile has font B; small print falls back to font A on printers without it."""
        return "1" in _escpos_profiles()[self.profile].get("fonts", {})

    @property
    def small_columns(self) -> int:
        """Characters per line of small print (font B, or font A where the printer has no font B)."""
        if not self.has_small_font:
            return self.line_columns
        if self.columns:
            return max(self.columns * FONT_A_DOTS // FONT_B_DOTS, self.columns)
        return self._font_columns("1") or self.line_dots // FONT_B_DOTS

    @property
    def native_qr(self) -> bool:
        """Whether the printer draws QR codes itself (GS ( k); else the code is sent as an image."""
        return bool(_escpos_profiles()[self.profile]["features"].get("qrCode"))

    @property
    def can_cut(self) -> bool:
        features = _escpos_profiles()[self.profile]["features"]
        return self.cut != "none" and bool(features.get("paperFullCut") or features.get("paperPartCut"))

    @property
    def reports_status(self) -> bool:
        """Whether the connection can read the printer's answer to a status query (paper sensor)."""
        return False


def paper_problem(p: _Printer) -> str:
    """Why a printer's paper width, profile, dots and columns disagree ('' when they agree)."""
    mm, px = p.profile_width
    dots = p.line_dots
    given = "" if p.dots else f" (no dots given: assumed {dots}, the usual {p.paper_mm} mm head)"
    if mm is not None:
        profile_paper = 58 if mm <= 58 else 80 if mm <= 80 else None
        if profile_paper != p.paper_mm:
            return (
                f"profile {p.profile!r} is for {profile_paper or 'wider than 80'} mm paper ({mm:g} mm printable"
                f"{f', {px} dots' if px else ''}) but paper_mm is {p.paper_mm}: every line would wrap or print"
                f" narrow; choose a {p.paper_mm} mm profile (docs/PRINTING.md) or correct paper_mm"
            )
    if dots > MAX_DOTS_BY_PAPER[p.paper_mm]:
        return (
            f"dots = {dots} cannot fit on {p.paper_mm} mm paper (at most {MAX_DOTS_BY_PAPER[p.paper_mm]} at 203 dpi):"
            " check the printer's specification"
        )
    if px is not None and px > dots:
        return (
            f"profile {p.profile!r} assumes {px} dots per line but the printer has {dots}{given}: lines and images"
            f" would wrap; choose a profile of at most {dots} dots (docs/PRINTING.md), or set dots = {px} if the"
            " printer's specification says so"
        )
    if p.columns and p.columns * FONT_A_DOTS > dots:
        return (
            f"columns = {p.columns} need {p.columns * FONT_A_DOTS} dots in font A ({FONT_A_DOTS} a character) but"
            f" the printer has {dots}{given}: at most {dots // FONT_A_DOTS} columns"
        )
    return ""


class NetworkPrinter(_Printer):
    backend: Literal["network"]
    host: str = Field(min_length=1)
    port: int = Field(default=9100, ge=1, le=65535)
    timeout: float = Field(default=5.0, gt=0, le=120)
    # Ask the printer for its paper sensor (DLE EOT 4) before each job; most ESC/POS printers answer.
    status_query: bool = True

    @property
    def reports_status(self) -> bool:
        return self.status_query


class UsbPrinter(_Printer):
    backend: Literal["usb"]
    vendor_id: int
    product_id: int
    interface: int = 0
    in_ep: int | None = None
    out_ep: int | None = None
    timeout: int = Field(default=2000, ge=100, description="milliseconds")
    status_query: bool = True

    @field_validator("vendor_id", "product_id", "in_ep", "out_ep", mode="before")
    @classmethod
    def _ids(cls, v):
        return _hex_or_int(v)

    @property
    def reports_status(self) -> bool:
        return self.status_query


class SerialPrinter(_Printer):
    backend: Literal["serial"]
    device: str = Field(min_length=1)
    baudrate: int = 9600
    bytesize: Literal[5, 6, 7, 8] = 8
    parity: Literal["N", "E", "O", "M", "S"] = "N"
    stopbits: Literal[1, 2] = 1
    timeout: float = Field(default=1.0, gt=0)
    dsrdtr: bool = True
    status_query: bool = True

    @property
    def reports_status(self) -> bool:
        return self.status_query


class CupsPrinter(_Printer):
    backend: Literal["cups"]
    # The CUPS queue name (`lpstat -e`); the job is sent raw (`lp -d QUEUE -o raw`).
    queue: str = Field(min_length=1)


class FilePrinter(_Printer):
    backend: Literal["file"]
    # A device file (/dev/usb/lp0) that each job is written to, or a directory that gets one file per job.
    path: str = ""
    directory: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> FilePrinter:
        if bool(self.path) == bool(self.directory):
            raise ValueError("give exactly one of path (a device file) or directory (one file per job)")
        return self

    def target(self) -> Path:
        p = Path(self.path or self.directory)
        return p if p.is_absolute() else ROOT / p


class NoPrinter(_Printer):
    """A station without a printer: jobs for it are cancelled at once (the screen shows the number)."""

    backend: Literal["none"]


PrinterConfig = Annotated[
    NetworkPrinter | UsbPrinter | SerialPrinter | CupsPrinter | FilePrinter | NoPrinter, Field(discriminator="backend")
]


class PrintingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    printers: dict[str, PrinterConfig] = {}
    stations: dict[str, str] = {}
    default_language: str = "id"

    @model_validator(mode="after")
    def _names(self) -> PrintingConfig:
        for name in self.printers:
            if not NAME.match(name):
                raise ValueError(f"printers.{name}: printer names are lower-case letters, digits, - and _")
        for station, printer in self.stations.items():
            if not NAME.match(station):
                raise ValueError(f"stations.{station}: station names are lower-case letters, digits, - and _")
            if printer not in self.printers:
                raise ValueError(
                    f"stations.{station}: unknown printer {printer!r}; configured: {sorted(self.printers) or 'none'}"
                )
        return self

    def printer_for(self, station: str) -> tuple[str, _Printer] | None:
        """The printer a station uses, or None for a station nobody configured."""
        name = self.stations.get(station)
        return None if name is None else (name, self.printers[name])

    def stations_of(self, printer: str) -> list[str]:
        return sorted(s for s, p in self.stations.items() if p == printer)

    def language_of(self, printer: _Printer) -> str:
        return printer.language or self.default_language


def _label(loc: tuple, raw_printers: dict) -> str:
    parts = [str(p) for p in loc]
    # Pydantic puts the discriminator value in the path (printers.kiosk.network.port): drop it.
    if (
        len(parts) >= 3
        and parts[0] == "printers"
        and isinstance(raw_printers.get(parts[1]), dict)
        and raw_printers[parts[1]].get("backend") == parts[2]
    ):
        del parts[2]
    return ".".join(parts) or "(printing)"


def load(settings: Settings, *, source: str = "config.toml") -> PrintingConfig:
    """Validate the printing sections of the settings; raise ConfigError naming the key at fault."""
    raw_printers = dict(settings.printers)
    stations = dict(settings.stations)
    for c in settings.counters:
        if c.printer:
            stations.setdefault(counter_station(c.number), c.printer)
    raw = {"printers": raw_printers, "stations": stations, "default_language": settings.app.default_language}
    try:
        return PrintingConfig.model_validate(raw)
    except ValidationError as e:
        lines = [f"Invalid printing configuration in {source}:"]
        for err in e.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (misspelt?)"
            elif err["type"] == "union_tag_invalid":
                msg = "backend must be one of usb, network, serial, cups, file, none"
                err["loc"] = tuple(err["loc"]) + ("backend",)
            elif err["type"] == "union_tag_not_found":
                msg = "missing key 'backend' (usb, network, serial, cups, file or none)"
            lines.append(f"  - {_label(err['loc'], raw_printers)}: {msg}")
        raise ConfigError("\n".join(lines)) from None
