"""How report figures are said and written: labels in the screen's language, numbers in its format, and
the definitions printed on every report. Shared by the page, the CSV and the PDF so they say the same."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from guest_book_labels import choice_labels as guest_book_choices
from rules.reports import ESTIMATE_TOLERANCE_MINUTES, Report


def segment_labels() -> dict:
    return {
        "government": _("Government"),
        "education": _("Education and research"),
        "international": _("International"),
        "private": _("Private sector"),
        "individual": _("Individual"),
        "other": _("Other"),
    }


def category_labels() -> dict:
    """Product categories of the tariff schedule (rules.tariffs.CATEGORIES), as the report names them."""
    return {"publication": _("Publications"), "microdata": _("Microdata"), "map": _("Maps")}


def category(code: str) -> str:
    return category_labels().get(code, code)


def choice_labels() -> dict:
    """The guest book's coded answers with labels (the kiosk's own wording, plus segments)."""

    out = dict(guest_book_choices())
    out["segment"] = segment_labels()
    return out


def dimension_titles() -> dict:
    return {
        "segment": _("Segment"),
        "institution_category": _("Institution category"),
        "education": _("Education"),
        "occupation": _("Occupation"),
        "purpose": _("Purpose of the visit"),
    }


def _half_up(value: float, places: int) -> Decimal:
    """Round half up (6.25 -> 6.3) as people do by hand; Babel would round half to even."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def minutes(value: float | None) -> str:
    return "–" if value is None else format_decimal(_half_up(value, 1), format="#,##0.0")


def percent(value: float | None) -> str:
    return "–" if value is None else format_percent(_half_up(value, 3), format="#,##0.0%")


def number(value: int | float | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.##")


def fixed(value: float, places: int) -> str:
    """A number with exactly `places` decimals in the screen's language (charts' axes and bar labels)."""
    return format_decimal(_half_up(value, places), format="#,##0" + ("." + "0" * places if places else ""))


def period_title(report: Report) -> str:
    p = report.period
    if p.kind == "day":
        return _("Day %(day)s", day=p.start.isoformat())
    if p.kind == "month":
        return _("Month %(month)s", month=p.start.strftime("%Y-%m"))
    return _("%(start)s to %(end)s", start=p.start.isoformat(), end=p.end.isoformat())


def definitions(report: Report) -> list[str]:
    """The definitions the figures follow, printed on the page and in the PDF (see rules/reports.py)."""
    n = report.limit_minutes
    return [
        _("Tickets belong to the office day they were issued on; visitors are distinct guest-book visitors."),
        _(
            "Waiting time: from taking the number to the first call. Service time: from the start to the finish "
            "of the last service."
        ),
        _(
            "Within the limit: the first call came at most %(n)s minutes after the ticket's clock started (the later "
            "of taking the number and the finish of the visitor ahead in the same queue).",
            n=n,
        ),
        _(
            "Online requests (online page, portal, e-mail, WhatsApp): served within 10 working days when delivered "
            "at most 10 working days after the officer marked them clear and complete; weekends, holidays, cuti "
            "bersama as configured, closures and the days waiting on the visitor (payment, signed SPPD) are not "
            "counted. Counted in the period of their delivery."
        ),
        _(
            "Median and 90th percentile: linear interpolation between closest ranks (as Excel PERCENTILE.INC): "
            "for n sorted values the p-th percentile lies at rank (n - 1) x p."
        ),
        _(
            "By service: the queue the ticket was issued for. By counter and officer: the last one that handled "
            "the ticket."
        ),
        _(
            "Estimate accuracy: real waiting time minus the estimate shown at the kiosk; within %(m)s minutes "
            "counts as close.",
            m=ESTIMATE_TOLERANCE_MINUTES,
        ),
        _("Guest book: counted per visit; profile fields as last recorded for the visitor."),
    ]


def summary_rows(s: dict, online: dict | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of a summary, in reading order; the online channel's 10 working days beside the
    10 minutes when given (Report.online_limit)."""
    return [
        (_("Tickets"), number(s["tickets"])),
        (_("Visitors"), number(s["visitors"])),
        (_("Served"), number(s["served"])),
        (_("No-shows"), number(s["no_shows"])),
        (_("Cancelled"), number(s["cancelled"])),
        (_("Not served"), number(s["not_served"])),
        (_("Transferred tickets"), number(s["transferred_tickets"])),
        (_("Transfers"), number(s["transfers"])),
        (_("Waiting time, mean (min)"), minutes(s["waiting"]["mean"])),
        (_("Waiting time, median (min)"), minutes(s["waiting"]["median"])),
        (_("Waiting time, 90th percentile (min)"), minutes(s["waiting"]["p90"])),
        (_("Service time, mean (min)"), minutes(s["service"]["mean"])),
        (_("Service time, median (min)"), minutes(s["service"]["median"])),
        (_("Service time, 90th percentile (min)"), minutes(s["service"]["p90"])),
        (_("Called"), number(s["limit"]["called"])),
        (_("Within the limit"), number(s["limit"]["within"])),
        (_("Over the limit"), number(s["limit"]["breaches"])),
        (_("Share within the limit"), percent(s["limit"]["share"])),
    ] + (
        [
            (_("Online requests delivered (timed)"), number(online["delivered"])),
            (_("Online: within 10 working days"), number(online["within"])),
            (_("Online: share within 10 working days"), percent(online["share"])),
        ]
        if online is not None
        else []
    )


def estimate_rows(s: dict) -> list[tuple[str, str]]:
    e = s["estimate"]
    return [
        (_("Tickets with an estimate"), number(e["count"])),
        (_("Mean absolute error (min)"), minutes(e["mean_abs_error"])),
        (_("Mean error (min; positive: waited longer than estimated)"), minutes(e["bias"])),
        (_("Within %(m)s minutes of the estimate", m=e["tolerance_minutes"]), percent(e["share_within_tolerance"])),
    ]


# Columns of breakdown tables: (header, function of a summary row).
def breakdown_columns() -> list[tuple[str, object]]:
    return [
        (_("Tickets"), lambda r: number(r["tickets"])),
        (_("Served"), lambda r: number(r["served"])),
        (_("No-shows"), lambda r: number(r["no_shows"])),
        (_("Transfers"), lambda r: number(r["transfers"])),
        (_("Wait mean"), lambda r: minutes(r["waiting"]["mean"])),
        (_("Wait median"), lambda r: minutes(r["waiting"]["median"])),
        (_("Wait P90"), lambda r: minutes(r["waiting"]["p90"])),
        (_("Service median"), lambda r: minutes(r["service"]["median"])),
        (_("Service P90"), lambda r: minutes(r["service"]["p90"])),
        (_("Within limit"), lambda r: percent(r["limit"]["share"])),
    ]


def extra_rows(value) -> list[tuple[str, str]]:
    """PNBP / IKM figures from the paid-product part, whatever their shape: a flat list of (label, value)."""
    if value is None:
        return []
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    elif hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        value = asdict(value)
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, v) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}{k}" if not prefix else f"{prefix} / {k}", x)
        elif isinstance(v, (list, tuple)) and v and all(isinstance(x, dict) for x in v):
            for i, x in enumerate(v, 1):
                walk(f"{prefix} {i}", x)
        elif isinstance(v, float):
            rows.append((prefix, format_decimal(v, format="#,##0.00")))
        elif isinstance(v, int) and not isinstance(v, bool):
            rows.append((prefix, format_decimal(v, format="#,##0")))
        else:
            rows.append((prefix, str(v)))

    walk("", value)
    return rows


def rupiah(value) -> str:
    return "–" if value is None else "Rp " + format_decimal(int(value), format="#,##0")


def pnbp_rows(p: dict) -> list[tuple[str, str]]:
    """The PNBP figures of rules.invoices.pnbp_summary, labelled (invoiced, received, receipts, Rp 0)."""
    rows = [
        (_("Invoices issued (standing)"), number(p["invoiced"]["count"])),
        (_("PNBP invoiced"), rupiah(p["invoiced"]["total"])),
        (_("Payments confirmed"), number(p["received"]["count"])),
        (_("PNBP received"), rupiah(p["received"]["total"])),
        (_("Receipts issued"), number(p.get("receipts", {}).get("count"))),
        (_("Rp 0 requests"), number(p.get("zero_tariff", {}).get("count"))),
        (_("List price waived (Rp 0)"), rupiah(p.get("zero_tariff", {}).get("list_price_waived"))),
    ]
    for code, amount in sorted((p.get("received_by_category") or {}).items()):
        rows.append((_("Received: %(category)s", category=category(code)), rupiah(amount)))
    return rows


def decimal2(value) -> str:
    """A figure given with two decimals (IKM, element means): the locale's separator, the digits as given."""
    if value is None or value == "":
        return "–"
    try:
        return format_decimal(Decimal(str(value)), format="#,##0.00")
    except ArithmeticError:  # decimal.InvalidOperation: not a number, shown as it came
        return str(value)


def ikm_rows(k: dict) -> list[tuple[str, str]]:
    """The IKM of rules.ikm.ikm_for: respondents, index, grade and each element's mean."""
    rows = [
        (_("Respondents"), number(k["respondents"])),
        (_("IKM (0-100)"), decimal2(k.get("ikm_display"))),
        (_("Grade"), f"{k['grade']} ({_(k['grade_label'])})" if k.get("grade") else "–"),
    ]
    for e in k.get("elements") or []:
        rows.append((_(e["name"]), decimal2(e.get("mean_display", e.get("mean")))))
    for svc in k.get("by_service") or []:  # the survey covers every service (issue 15)
        import i18n

        name = (svc.get("name_en") or svc.get("name")) if i18n.select_locale() == "en" else svc.get("name")
        rows.append(
            (
                _("IKM: %(service)s", service=name or _("Online requests")),
                _(
                    "%(ikm)s (%(grade)s), %(n)s respondents",
                    ikm=decimal2(svc.get("ikm_display")),
                    grade=svc.get("grade") or "–",
                    n=number(svc["respondents"]),
                ),
            )
        )
    if k.get("method"):
        rows.append(
            (_("Method"), _("IKM = (sum of the 9 element means x 1/9) x 25, exact 1/9 weight (PermenPANRB 14/2017)"))
        )
    return rows


def extra_section(report: Report, key: str) -> list[tuple[str, str]]:
    """Rows of the PNBP or IKM section; the generic listing if the provider's shape is not the expected one."""
    value = report.pnbp if key == "pnbp" else report.ikm
    if value is None:
        return []
    try:
        return pnbp_rows(value) if key == "pnbp" else ikm_rows(value)
    except (KeyError, TypeError, AttributeError):
        return extra_rows(value)
