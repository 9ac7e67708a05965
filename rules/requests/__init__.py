"""The paid-product request (SPEC steps 5-18) as ONE state machine: every step is a transition of machine.py.

A step names the states it is allowed from; any other state refuses it with a message that says which states
allow it. Every step taken is recorded as a RequestEvent (who, when, from and to state, what changed).
Invoices (rules.invoices) and payments (rules.payments) take their steps through the same machine.

- machine.py: states, transitions, who may take each step, recording, loading a request;
- intake.py: opening a request, its lines priced from the tariff, the Rp 0 tariff (steps 5-6);
- documents.py: agreement to the sale terms and the document checklist (steps 7-8);
- delivery.py: sample, SPPD, preparing, delivery, closing (steps 9-15);
- changes.py: corrections, revising, cancelling (steps 16-17);
- online.py: requests without a ticket (the public page; portal, e-mail, WhatsApp entered by an officer), the
  e-mail link's confirmation, "clear and complete", shipping;
- clock.py: the 10-working-day clock of those requests (pauses while waiting on the visitor, the verdict);
- views.py: finding requests, and requests as the screens show them.

Everything is re-exported here: `from rules import requests as rq; rq.open_request(...)`.
"""

from rules.requests.changes import cancel, request_correction, resolve_correction, revise
from rules.requests.delivery import close, deliver, hand_over_sample, mark_ready, settled, sign_sppd, start_preparing
from rules.requests.documents import agree, check_documents, checklist, documents_needed, needs_sppd, tick_document
from rules.requests.intake import ZERO_USES, add_line, clear_zero_tariff, open_request, remove_line, set_zero_tariff
from rules.requests.machine import (
    CHANNEL_WORDS,
    CHANNELS,
    CHECKED_BEFORE_INVOICE,
    DOC_WORDS,
    RARE_STEPS,
    REQUEST_PREFIX,
    STATE_WORDS,
    STEP_COMMANDS,
    TERMINAL,
    TRANSITIONS,
    UNPAID_WORK,
    Transition,
    active_invoice,
    allowed,
    by_rating_token,
    by_visitor_token,
    confirmed_payment,
    documents,
    get_request,
    get_user,
    history,
    lines,
    local_day,
    next_steps,
    receipt_of,
    record,
    require,
    visitor_history,
)
from rules.requests.online import (
    OnlineLine,
    OnlineVisitorForm,
    confirm_email,
    enter_request,
    mark_clear,
    needs_clear_first,
    set_shipping,
    submit_online,
)
from rules.requests.views import (
    find,
    for_visitor,
    invoice_json,
    line_json,
    payment_json,
    receipt_json,
    staff_view,
    summary_json,
    visitor_progress,
)

__all__ = [
    "visitor_progress",
    "CHANNELS",
    "CHANNEL_WORDS",
    "OnlineLine",
    "OnlineVisitorForm",
    "confirm_email",
    "enter_request",
    "mark_clear",
    "needs_clear_first",
    "set_shipping",
    "submit_online",
    "CHECKED_BEFORE_INVOICE",
    "DOC_WORDS",
    "RARE_STEPS",
    "REQUEST_PREFIX",
    "STATE_WORDS",
    "STEP_COMMANDS",
    "TERMINAL",
    "TRANSITIONS",
    "UNPAID_WORK",
    "ZERO_USES",
    "Transition",
    "active_invoice",
    "add_line",
    "agree",
    "allowed",
    "by_rating_token",
    "by_visitor_token",
    "cancel",
    "check_documents",
    "checklist",
    "clear_zero_tariff",
    "close",
    "confirmed_payment",
    "deliver",
    "documents",
    "documents_needed",
    "find",
    "for_visitor",
    "get_request",
    "get_user",
    "hand_over_sample",
    "history",
    "invoice_json",
    "line_json",
    "lines",
    "local_day",
    "mark_ready",
    "needs_sppd",
    "next_steps",
    "open_request",
    "payment_json",
    "receipt_json",
    "receipt_of",
    "record",
    "remove_line",
    "request_correction",
    "require",
    "resolve_correction",
    "revise",
    "set_zero_tariff",
    "settled",
    "sign_sppd",
    "staff_view",
    "start_preparing",
    "summary_json",
    "tick_document",
    "visitor_history",
]
