"""The report as CSV (the csv module): what the page shows, one table after another, numbers with a dot."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from flask_babel import gettext as _

from rules.errors import N_
from rules.reports import GUESTBOOK_DIMENSIONS, PERCENTILE_METHOD, Report


def _num(value, digits: int = 2):
    """Plain numbers for spreadsheets: dot decimals, empty when there is no value."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return value


FIGURES = (
    (N_("tickets"), lambda s: s["tickets"]),
    (N_("visitors"), lambda s: s["visitors"]),
    (N_("served"), lambda s: s["served"]),
    (N_("no_shows"), lambda s: s["no_shows"]),
    (N_("cancelled"), lambda s: s["cancelled"]),
    (N_("not_served"), lambda s: s["not_served"]),
    (N_("transferred_tickets"), lambda s: s["transferred_tickets"]),
    (N_("transfers"), lambda s: s["transfers"]),
    (N_("wait_mean_min"), lambda s: s["waiting"]["mean"]),
    (N_("wait_median_min"), lambda s: s["waiting"]["median"]),
    (N_("wait_p90_min"), lambda s: s["waiting"]["p90"]),
    (N_("service_mean_min"), lambda s: s["service"]["mean"]),
    (N_("service_median_min"), lambda s: s["service"]["median"]),
    (N_("service_p90_min"), lambda s: s["service"]["p90"]),
    (N_("called"), lambda s: s["limit"]["called"]),
    (N_("within_limit"), lambda s: s["limit"]["within"]),
    (N_("within_limit_share"), lambda s: s["limit"]["share"]),
    (N_("estimates"), lambda s: s["estimate"]["count"]),
    (N_("estimate_mae_min"), lambda s: s["estimate"]["mean_abs_error"]),
    (N_("estimate_bias_min"), lambda s: s["estimate"]["bias"]),
    (N_("estimate_within_tolerance_share"), lambda s: s["estimate"]["share_within_tolerance"]),
)


UNITS = {"day": N_("day"), "month": N_("month"), "week": N_("week"), "year": N_("year")}


def to_csv(report: Report, names: dict, caption: str) -> str:
    """UTF-8 text with a byte-order mark so spreadsheet programs read the Indonesian letters right."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_("Office"), f"{report.office['code']} {report.office['name']}"])
    w.writerow([_("Period"), report.period.start.isoformat(), report.period.end.isoformat()])
    w.writerow([_("Scope"), caption])
    w.writerow([_("Service limit (minutes)"), report.limit_minutes])
    w.writerow([_("Percentiles"), PERCENTILE_METHOD])
    if report.online_limit is not None:
        o = report.online_limit
        w.writerow([_("Online requests delivered (timed)"), o["delivered"]])
        w.writerow([_("Online: within 10 working days"), o["within"], _num(o["share"], 4)])
    w.writerow([])
    # Column headings in the report's language (issue 15): short codes in English, their Indonesian in the
    # catalog; the rows' codes (office, service, pnbp.received.total, ...) stay the same in both.
    w.writerow([_("group"), _("id"), _("label")] + [_(k) for k, _f in FIGURES])

    def row(group: str, key, label, s: dict) -> None:
        w.writerow(
            [group, "" if key is None else key, label or ""]
            + [_num(f(s), 4 if k.endswith("share") else 2) for k, f in FIGURES]
        )

    row("office", report.office["code"], report.office["name"], report.summary)
    for r in report.by_service:
        row("service", r["id"], names["service"](r["id"], r["label"]), r)
    for r in report.by_counter:
        row("counter", r["id"], r["label"] or _("Not called"), r)
    for r in report.by_officer:
        row("officer", r["id"], r["label"] or _("Not called"), r)
    w.writerow([])
    w.writerow(
        [
            _(UNITS.get(report.time_unit, report.time_unit)),
            _("tickets"),
            _("served"),
            _("within_limit_share"),
            _("wait_median_min"),
        ]
    )
    for r in report.by_time:
        w.writerow([r["key"], r["tickets"], r["served"], _num(r["limit_share"], 4), _num(r["median_wait"])])
    w.writerow([])
    w.writerow([_("hour"), _("tickets")])
    for hour, n in report.by_hour:
        w.writerow([f"{hour:02d}", n])
    w.writerow([])
    w.writerow([_("guestbook"), _("code"), _("label"), _("visits")])
    for dim in GUESTBOOK_DIMENSIONS:
        for code, n in report.guestbook[dim]:
            w.writerow([dim, code, names[dim](code), n])
    for key, value in (("pnbp", report.pnbp), ("ikm", report.ikm)):
        w.writerow([])
        for path, raw in flatten(value):
            w.writerow([key, path, raw])
    return "\ufeff" + buf.getvalue()


def flatten(value, prefix: str = "") -> list[tuple[str, object]]:
    """Nested figures as (dotted.path, plain value): exact fractions as decimals, rupiah as integers."""
    out: list[tuple[str, object]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            key = v.get("code", i) if isinstance(v, dict) else i
            out += flatten(v, f"{prefix}.{key}")
    elif isinstance(value, Fraction):
        out.append((prefix, f"{float(value):.4f}"))
    elif isinstance(value, float):
        out.append((prefix, f"{value:.4f}"))
    elif value is None:
        out.append((prefix, ""))
    else:
        out.append((prefix, str(value)))
    return out
