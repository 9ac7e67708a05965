"""A refusal of the rules as people read it: the message and its parameters in the screen's language."""

from __future__ import annotations

from flask_babel import gettext as _

from rules.errors import Msg, MsgList, RuleError


def _param(value):
    if isinstance(value, MsgList):
        return ", ".join(_(x) for x in value)
    if isinstance(value, Msg):
        return _(value)
    return value


def refusal_message(err: RuleError) -> str:
    """The refusal's sentence; parameters that are msgids themselves (a state, a step) are translated too."""
    params = {k: _param(v) for k, v in err.params.items()}
    return _(err.message) % params if params else _(err.message)


def refusal_json(err: RuleError) -> dict:
    """{error, message[, fields]}: the body of every refused JSON request."""
    body = {"error": err.code, "message": refusal_message(err)}
    fields = getattr(err, "fields", None)
    if fields:
        # A field's message may name the refusal's parameters too (a duplicate prefix names the prefix).
        params = {k: _param(v) for k, v in err.params.items()}
        body["fields"] = {k: _(v) % params if params and "%(" in v else _(v) for k, v in fields.items()}
    return body
