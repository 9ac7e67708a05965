"""Whether each step the state allows can be taken now, as the counter's buttons show it.

The state machine (machine.allowed) says which steps a state allows; some have further conditions checked when
taken (the documents complete before the check, something to invoice, a sample only for microdata). Screens
show a step that does not apply not at all, and one that would be refused disabled, with the reason; the step
itself still checks when taken. Works on the request as staff see it (views.staff_view), so it reads nothing more.
"""

from __future__ import annotations

from rules.errors import N_

_LIVE_INVOICE = ("issued",)


def _applies(view: dict, name: str) -> bool:
    invoices, payments = view["invoices"], view["payments"]
    if name == "hand_over_sample":
        return view["needs_sample"] and not view["sample_handed_at"]
    if name == "sign_sppd":
        return view["needs_sppd"] and not view["sppd_signed_at"]
    if name == "record_payment":
        live = {i["id"] for i in invoices if i["status"] not in ("replaced", "cancelled")}
        pending = any(p["status"] != "rejected" and p["invoice_id"] in live for p in payments)
        return any(i["status"] in _LIVE_INVOICE for i in invoices) and not pending
    if name == "replace_invoice":
        return any(i["status"] in ("expired", "issued") for i in invoices) and not view["settled"]
    if name == "start_preparing" and view["state"] == "checked":
        return view["total"] == 0
    if name == "issue_invoice":
        return view["total"] > 0
    return True


def _blocker(view: dict, name: str) -> str | None:
    """The msgid of why the step would be refused now (None: it may be taken)."""
    if name == "check_documents":
        if any(d["when"] == "before_invoice" and not d["received"] for d in view["checklist"]):
            return N_("Tick every document needed before the invoice first.")
    if name == "agree" and not view["lines"]:
        return N_("Add at least one product before recording the agreement.")
    if name == "deliver":
        if not view["settled"]:
            return N_("The product can be delivered only after the treasurer has issued the receipt.")
        if view["needs_sppd"] and not view["sppd_signed_at"]:
            return N_("Microdata and maps are delivered only after the signed SPPD is received.")
    return None


def annotate(view: dict, translate) -> dict:
    """Mark each of the view's steps: `applies` (show it at all), `ready` and, when not, `why` (translated)."""
    for step in view["steps"]:
        step["applies"] = _applies(view, step["name"])
        why = _blocker(view, step["name"])
        step["ready"] = why is None
        step["why"] = translate(why) if why else ""
    return view
