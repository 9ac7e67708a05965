"""The one error type the rules raise: a refusal with a stable code and a message for people."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for translation; screens translate it (the rules import no i18n)."""
    return message


class Msg(str):
    """A message parameter that is itself a msgid: screens translate it before putting it in the sentence."""


class MsgList(tuple):
    """Several msgids joined with commas once translated."""

    def __str__(self) -> str:
        return ", ".join(self)


class RuleError(Exception):
    """An action the rules refuse. `message` is an English msgid with %(name)s placeholders."""

    status = 409

    def __init__(self, code: str, message: str, /, status: int | None = None, **params):
        super().__init__(message % params if params else message)
        self.code = code
        self.message = message
        self.params = params
        if status is not None:
            self.status = status


class NotFound(RuleError):
    status = 404
