"""Tariffs of paid statistical products: the schedule in force (a data file), exact prices and the rule shown.

The schedules live in data/tariffs/*.toml, one per regulation, each with its effective date; a new regulation
is a new file. Prices are integer rupiah; a started block is charged as a whole block, and every priced line
carries its rule as data so the invoice can say how the amount was reached.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rules.errors import N_, RuleError
from settings import ROOT

DEFAULT_DIR = ROOT / "data" / "tariffs"
CATEGORIES = ("publication", "microdata", "map")
MEASURES = ("pages", "bytes")
# Upper bounds that catch a slip of the keyboard, not business limits.
MAX_MEASURE = 10**13
MAX_QUANTITY = 1000

Translate = Callable[[str], str]


def _identity(s: str) -> str:
    return s


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    category: str
    name: str
    name_en: str = ""
    per: str
    measure: str | None = None
    first_block: int | None = Field(default=None, gt=0)
    first_price: int | None = Field(default=None, ge=0)
    next_block: int | None = Field(default=None, gt=0)
    next_price: int | None = Field(default=None, ge=0)
    price: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _shape(self) -> _Item:
        if self.category not in CATEGORIES:
            raise ValueError(f"item {self.code}: category must be one of {CATEGORIES}")
        blocks = (self.first_block, self.first_price, self.next_block, self.next_price)
        if self.measure is not None:
            if self.measure not in MEASURES:
                raise ValueError(f"item {self.code}: measure must be one of {MEASURES}")
            if any(v is None for v in blocks) or self.price is not None:
                raise ValueError(
                    f"item {self.code}: a measured item needs first_block, first_price, next_block, "
                    "next_price and no price"
                )
        elif self.price is None or any(v is not None for v in blocks):
            raise ValueError(f"item {self.code}: an item without measure needs a price per {self.per} only")
        return self


class _ZeroTariff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    article: str
    segments: list[str]
    uses: list[str]


class _Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    regulation: str
    regulation_short: str
    effective_from: date
    source: str = ""
    partial_blocks: str = ""
    zero_tariff: _ZeroTariff
    items: list[_Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> _Schedule:
        codes = [i.code for i in self.items]
        dup = {c for c in codes if codes.count(c) > 1}
        if dup:
            raise ValueError(f"duplicate item code(s) {sorted(dup)}")
        return self


@dataclass(frozen=True)
class Schedule:
    """One regulation's tariffs, in force from effective_from."""

    id: str
    regulation: str
    regulation_short: str
    effective_from: date
    source: str
    partial_blocks: str
    zero_article: str
    zero_segments: tuple[str, ...]
    zero_uses: tuple[str, ...]
    items: dict[str, _Item] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """What a priced line records as its source: 'PP 13/2024 (2024-01-01)'."""
        return f"{self.regulation_short} ({self.effective_from.isoformat()})"


class TariffDataError(Exception):
    """A tariff file that cannot be used; the message names the file and the problem."""


_cache: dict[tuple, list[Schedule]] = {}


def load_schedules(directory: Path | str | None = None) -> list[Schedule]:
    """Every schedule in the directory, oldest first (re-read when a file changes)."""
    directory = Path(directory or DEFAULT_DIR)
    files = sorted(directory.glob("*.toml"))
    key = (str(directory),) + tuple((str(f), f.stat().st_mtime_ns) for f in files)
    if key in _cache:
        return _cache[key]
    out = []
    for f in files:
        try:
            raw = _Schedule.model_validate(tomllib.loads(f.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as e:
            raise TariffDataError(f"{f}: {e}") from None
        out.append(
            Schedule(
                id=raw.id,
                regulation=raw.regulation,
                regulation_short=raw.regulation_short,
                effective_from=raw.effective_from,
                source=raw.source,
                partial_blocks=raw.partial_blocks,
                zero_article=raw.zero_tariff.article,
                zero_segments=tuple(raw.zero_tariff.segments),
                zero_uses=tuple(raw.zero_tariff.uses),
                items={i.code: i for i in raw.items},
            )
        )
    if not out:
        raise TariffDataError(f"no tariff schedule (*.toml) in {directory}")
    out.sort(key=lambda s: s.effective_from)
    _cache.clear()
    _cache[key] = out
    return out


def schedule_on(day: date, directory: Path | str | None = None) -> Schedule:
    """The schedule in force on a day: the latest one that took effect on or before it."""
    in_force = [s for s in load_schedules(directory) if s.effective_from <= day]
    if not in_force:
        raise RuleError("no_tariff", N_("No tariff schedule is in force on %(day)s."), day=day.isoformat())
    return in_force[-1]


def item(schedule: Schedule, code: str) -> _Item:
    try:
        return schedule.items[code]
    except KeyError:
        raise RuleError("unknown_product", N_("Unknown product %(code)s."), status=404, code=code) from None


# ---- prices --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    """A priced line: unit price (one copy/dataset/table/map), amount (x quantity) and the rule as data."""

    unit_price: int
    amount: int
    rule: dict


def ceil_div(a: int, b: int) -> int:
    """Integer ceiling of a/b for a >= 0 (no floats anywhere near money)."""
    return -(-a // b)


def unit_price(it: _Item, measure: int | None) -> tuple[int, dict]:
    """The price of one unit of an item and the rule that gives it."""
    if it.measure is None:
        return it.price, {"kind": "per_unit", "price": it.price, "per": it.per}
    if measure is None or isinstance(measure, bool) or not isinstance(measure, int) or measure < 1:
        raise RuleError(
            "bad_measure",
            N_("Enter the size (%(measure)s) as a whole number of at least 1."),
            status=400,
            measure=it.measure,
        )
    if measure > MAX_MEASURE:
        raise RuleError("bad_measure", N_("The size %(value)s is too large."), status=400, value=measure)
    extra_units = max(0, measure - it.first_block)
    blocks = ceil_div(extra_units, it.next_block)
    price = it.first_price + blocks * it.next_price
    return price, {
        "kind": "blocks",
        "measure": measure,
        "unit": it.measure,
        "per": it.per,
        "first_block": it.first_block,
        "first_price": it.first_price,
        "next_block": it.next_block,
        "next_price": it.next_price,
        "extra_units": extra_units,
        "blocks": blocks,
        "rounded_up": extra_units % it.next_block != 0,
    }


def price(it: _Item, *, measure: int | None = None, quantity: int = 1) -> Price:
    """List price of a line: quantity x the unit price for the measure."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise RuleError("bad_quantity", N_("Enter a quantity between 1 and %(max)s."), status=400, max=MAX_QUANTITY)
    up, rule = unit_price(it, measure)
    return Price(unit_price=up, amount=up * quantity, rule=rule)


def zero_price(list_price: Price, *, schedule: Schedule, use: str) -> Price:
    """The same line at Rp 0 under the zero-tariff article, keeping the list price for the record."""
    return Price(
        unit_price=0,
        amount=0,
        rule={
            **list_price.rule,
            "zero": True,
            "article": schedule.zero_article,
            "use": use,
            "list_unit_price": list_price.unit_price,
            "list_amount": list_price.amount,
        },
    )


def zero_tariff_refusal(schedule: Schedule, *, segment: str, use: str, purpose: str = "") -> RuleError | None:
    """Why a request may not have Rp 0 (segment, use), or None when it may. The request letter is checked later."""
    if segment not in schedule.zero_segments:
        return RuleError(
            "zero_tariff_segment",
            N_(
                "Rp 0 is only for government, education and international "
                "institutions (%(article)s); this visitor's segment is "
                "%(segment)s."
            ),
            article=schedule.zero_article,
            segment=segment or "-",
        )
    if use not in schedule.zero_uses:
        return RuleError(
            "zero_tariff_use",
            N_(
                "Rp 0 needs a non-commercial use: government duties, research and "
                "development, community empowerment or international commitments."
            ),
            status=400,
        )
    if purpose == "business":
        return RuleError(
            "zero_tariff_commercial",
            N_("The guest book says this visit is for business; Rp 0 is for non-commercial use only."),
        )
    return None


# ---- words ---------------------------------------------------------------------------------------


def thousands(n: int) -> str:
    """Indonesian digit grouping: 1234567 -> '1.234.567'."""
    return f"{n:,}".replace(",", ".")


def rupiah(n: int) -> str:
    """'Rp 50.000'."""
    return f"Rp {thousands(n)}"


UNIT_WORDS = {"pages": N_("pages"), "bytes": N_("bytes")}
PER_WORDS = {"publication": N_("publication"), "dataset": N_("dataset"), "table": N_("table"), "map": N_("map")}
USE_WORDS = {
    "government_duties": N_("government duties"),
    "research_development": N_("research and development"),
    "community_empowerment": N_("community empowerment"),
    "international_commitment": N_("international commitments"),
}


def describe_rule(rule: dict, translate: Translate = _identity) -> str:
    """How a line's amount was reached, as one sentence in the screen's (or document's) language."""
    t = translate
    if rule.get("kind") == "blocks":
        p = {
            "measure": thousands(rule["measure"]),
            "unit": t(UNIT_WORDS[rule["unit"]]),
            "first_block": thousands(rule["first_block"]),
            "first_price": thousands(rule["first_price"]),
            "blocks": thousands(rule["blocks"]),
            "next_block": thousands(rule["next_block"]),
            "next_price": thousands(rule["next_price"]),
        }
        if rule["blocks"] == 0:
            text = t(N_("%(measure)s %(unit)s: first %(first_block)s %(unit)s Rp %(first_price)s")) % p
        else:
            text = (
                t(
                    N_(
                        "%(measure)s %(unit)s: first %(first_block)s %(unit)s Rp %(first_price)s + %(blocks)s x "
                        "each further %(next_block)s %(unit)s Rp %(next_price)s"
                    )
                )
                % p
            )
            if rule.get("rounded_up"):
                text += " " + t(N_("(a started block counts as a whole block)"))
    else:
        text = t(N_("Rp %(price)s per %(per)s")) % {"price": thousands(rule["price"]), "per": t(PER_WORDS[rule["per"]])}
    if rule.get("zero"):
        text = (
            t(N_("Rp 0 under %(article)s for %(use)s (list price Rp %(list)s); "))
            % {
                "article": rule["article"],
                "use": t(USE_WORDS.get(rule["use"], rule["use"])),
                "list": thousands(rule["list_amount"]),
            }
            + text
        )
    return text


def item_name(it: _Item, lang: str) -> str:
    return it.name_en or it.name if lang == "en" else it.name


def tariff_sheet(schedule: Schedule, translate: Translate = _identity, lang: str = "id") -> dict:
    """What the officer shows the visitor (step 6): every product with its price rule and the regulation."""
    t = translate
    rows = []
    for it in schedule.items.values():
        if it.measure is None:
            how = t(N_("Rp %(price)s per %(per)s")) % {"price": thousands(it.price), "per": t(PER_WORDS[it.per])}
        else:
            how = t(
                N_(
                    "first %(first_block)s %(unit)s Rp %(first_price)s; each further started %(next_block)s "
                    "%(unit)s Rp %(next_price)s"
                )
            ) % {
                "first_block": thousands(it.first_block),
                "unit": t(UNIT_WORDS[it.measure]),
                "first_price": thousands(it.first_price),
                "next_block": thousands(it.next_block),
                "next_price": thousands(it.next_price),
            }
        rows.append(
            {
                "code": it.code,
                "category": it.category,
                "name": item_name(it, lang),
                "per": it.per,
                "per_label": t(PER_WORDS[it.per]) if it.per in PER_WORDS else it.per,
                "measure": it.measure,
                "price_rule": how,
            }
        )
    return {
        "id": schedule.id,
        "regulation": schedule.regulation,
        "regulation_short": schedule.regulation_short,
        "effective_from": schedule.effective_from.isoformat(),
        "source": schedule.source,
        "partial_blocks": t(N_("A started block is charged as a whole block.")),
        "zero_tariff": {
            "article": schedule.zero_article,
            "segments": list(schedule.zero_segments),
            "uses": [{"code": u, "name": t(USE_WORDS.get(u, u))} for u in schedule.zero_uses],
        },
        "items": rows,
    }
