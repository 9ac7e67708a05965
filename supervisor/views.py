"""Supervisor pages: the live wall view and the reports (page, CSV, PDF). Supervisor and admin only."""

from __future__ import annotations

import re
from datetime import date

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from auth.roles import roles_required
from clock import utcnow
from extensions import get_db, get_settings
from models import Counter, Office, User
from rules import offices, reports, tickets
from rules.counters import PAUSE_REASONS
from rules.errors import N_, RuleError
from rules.roles import SUPERVISOR_ROLES
from supervisor import bp, export, live, present


def live_strings() -> dict:
    return {
        "counter": _("Counter"),
        "idle": _("Idle"),
        "called": _("Called"),
        "serving": _("Serving"),
        "paused": _("Paused"),
        "closed": _("Closed"),
        "waiting": _("Waiting"),
        "longest": _("Longest wait"),
        "no_one": _("No one waiting"),
        "not_started": _("Clock not started"),
        "running": _("Running"),
        "amber": _("Nearly late"),
        "breached": _("Over the limit"),
        "left": _("left"),
        "late": _("late by"),
        "breaches_today": _("Over the limit today"),
        "called_late": _("called late"),
        "waiting_late": _("waiting over the limit now"),
        "served_today": _("Served today"),
        "tickets_today": _("Tickets today"),
        "share": _("Within the limit"),
        "median_wait": _("Median wait"),
        "suggest": _(
            "Open another counter for %(service)s: %(n)s waiting, about %(m)s min to clear with the counters open now."
        ),
        "suggest_none_open": _("Open a counter for %(service)s: %(n)s waiting and no counter open."),
        "suggest_which": _("Counters that serve it: %(list)s."),
        "suggest_more": _("Needed: %(n)s more."),
        "no_suggestions": _("The queues can be cleared within the limit."),
        "printers": _("Printers"),
        "online": _("Online requests: 10 working days"),
        "no_online": _("No online request is being timed."),
        "online_due": _("%(number)s: due %(due)s, %(left)s working day(s) left"),
        "online_paused": _("%(number)s: waiting on the visitor, %(left)s working day(s) left"),
        "online_late": _("%(number)s: past the due day %(due)s by %(late)s working day(s)"),
        "online_alarm": _("%(n)s online request(s) near or past the 10-working-day limit"),
        "printers_na": _("Printer status not available"),
        "no_printers": _("No printers configured"),
        "live": _("Live"),
        "offline": _("Reconnecting…"),
        "clears": _("clears in ~%(m)s min"),
        "min": _("min"),
        "priority": _("Priority"),
        "transferred": _("Transferred"),
        "enable_sound": _("Tap to enable sound"),
        "mute": _("Mute"),
        "unmute": _("Sound on"),
        "service_time": _("typical service %(m)s min"),
        "paper": _("Paper"),
        "printer_queue": _("%(n)s to print"),
        "printer_states": {
            "ok": _("Ready"),
            "warning": _("Warning"),
            "error": _("Problem"),
            "unknown": _("Unknown"),
            "none": _("No printer"),
        },
        "reasons": dict(zip(PAUSE_REASONS, (_("Break"), _("Prayer"), _("Meeting"), _("System problem"), _("Other")))),
    }


def _office(s) -> Office:
    return s.get(Office, current_user.office_id)


@bp.route("/")
@roles_required(*SUPERVISOR_ROLES)
def live_view():
    with get_db().read() as s:
        office = _office(s)
    return render_template("supervisor/live.html", office=office, strings=live_strings())


@bp.get("/live.json")
@roles_required(*SUPERVISOR_ROLES)
def live_json():
    """The live view's data (the page gets the same over Socket.IO)."""
    with get_db().read() as s:
        snap = live.supervisor_snapshot(s, _office(s), default_minutes=get_settings().app.default_service_minutes)
    return jsonify(snap)


# ---- reports -------------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RuleError("bad_date", N_("Not a date: %(value)s (use YYYY-MM-DD)."), status=400, value=raw[:20]) from None


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


def parse_request(office: Office) -> tuple[reports.Period, reports.Filters]:
    """The period (day / month / range) and filters from the query string; today by default."""
    today = tickets.today(office, utcnow())
    kind = request.args.get("period", "day")
    if kind == "month":
        m = _MONTH.match(request.args.get("month", "") or today.strftime("%Y-%m"))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise RuleError("bad_month", N_("Choose a month as YYYY-MM."), status=400)
        period = reports.Period.month(int(m.group(1)), int(m.group(2)))
    elif kind == "range":
        start, end = _date_arg("start", today.replace(day=1)), _date_arg("end", today)
        if abs((end - start).days) > 3660:
            raise RuleError("bad_range", N_("A range may cover at most ten years."), status=400)
        period = reports.Period.between(start, end)
    else:
        period = reports.Period.day(_date_arg("day", today))
    return period, reports.Filters(
        service_id=_int_arg("service"), counter_id=_int_arg("counter"), officer_id=_int_arg("officer")
    )


def _choices(s, office: Office) -> dict:
    return {
        "services": offices.services(s, office.id, active_only=False),
        "counters": list(s.exec(select(Counter).where(Counter.office_id == office.id).order_by(Counter.number))),
        "officers": list(s.exec(select(User).where(User.office_id == office.id).order_by(User.name))),
    }


def _names(choices: dict) -> dict:
    """Labels for codes and ids in the screen's language (used by tables, charts, CSV and PDF)."""
    lang = present_lang()
    services = {sv.id: offices.service_name(sv, lang) for sv in choices["services"]}
    labels = present.choice_labels()
    out = {"service": lambda sid, fallback=None: services.get(sid, fallback or "–"), "category": present.category}
    for dim in reports.GUESTBOOK_DIMENSIONS:
        out[dim] = (lambda d: lambda code: labels.get(d, {}).get(code, code or "–"))(dim)
    return out


def present_lang() -> str:
    import i18n

    return i18n.select_locale()


def _filter_caption(report: reports.Report, choices: dict, names: dict) -> str:
    f = report.filters
    parts = []
    if f.service_id is not None:
        parts.append(_("Service: %(name)s", name=names["service"](f.service_id)))
    if f.counter_id is not None:
        c = next((c for c in choices["counters"] if c.id == f.counter_id), None)
        parts.append(_("Counter: %(name)s", name=(c.name or f"Loket {c.number}") if c else f.counter_id))
    if f.officer_id is not None:
        u = next((u for u in choices["officers"] if u.id == f.officer_id), None)
        parts.append(_("Officer: %(name)s", name=u.name if u else f.officer_id))
    return " · ".join(parts) or _("Whole office")


def build(s, office: Office):
    period, filters = parse_request(office)
    report = reports.build_report(s, office, period, filters)
    choices = _choices(s, office)
    names = _names(choices)
    from supervisor import charts  # reportlab's graphics load with the first report, not at every start-up

    drawings = charts.report_charts(report, _, names, decimal=present.fixed)
    return report, choices, names, drawings


@bp.get("/reports")
@roles_required(*SUPERVISOR_ROLES)
def reports_page():
    with get_db().read() as s:
        office = _office(s)
        report, choices, names, drawings = build(s, office)
    from supervisor import charts

    return render_template(
        "supervisor/reports.html",
        office=office,
        report=report,
        choices=choices,
        names=names,
        charts=[(key, charts.to_svg(d)) for key, d in drawings],
        present=present,
        filter_caption=_filter_caption(report, choices, names),
        query=request.query_string.decode(),
        dimension_titles=present.dimension_titles(),
        args=request.args,
    )


@bp.get("/reports.csv")
@roles_required(*SUPERVISOR_ROLES)
def reports_csv():
    with get_db().read() as s:
        office = _office(s)
        report, choices, names, _drawings = build(s, office)
        caption = _filter_caption(report, choices, names)
    body = export.to_csv(report, names, caption)
    filename = f"loket-report-{office.code}-{report.period.slug}.csv"
    return Response(
        body, mimetype="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/reports.pdf")
@roles_required(*SUPERVISOR_ROLES)
def reports_pdf():
    with get_db().read() as s:
        office = _office(s)
        report, choices, names, drawings = build(s, office)
        caption = _filter_caption(report, choices, names)
    from supervisor import pdf

    body = pdf.render(report, names, drawings, caption, generated_at=utcnow())
    filename = f"loket-report-{office.code}-{report.period.slug}.pdf"
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})
