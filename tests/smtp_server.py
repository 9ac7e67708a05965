"""A real SMTP server on this machine for the e-mail tests (aiosmtpd): it keeps every message it accepts, and can
be started on a port that is not yet listening (the outbox's "server down, then up" test)."""

from __future__ import annotations

import email
import email.policy
import io
import threading
import time

from aiosmtpd.controller import Controller
from pypdf import PdfReader


class Inbox:
    """What the server accepted: parsed messages, in arrival order."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        """Keep the message (aiosmtpd calls this for each one accepted)."""
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted"

    def wait_for(self, n: int, timeout: float = 10) -> list:
        """The messages, once at least n arrived."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {n} e-mails, got {len(self.messages)}")


class SmtpServer:
    """aiosmtpd on 127.0.0.1:port, started and stopped by the test."""

    def __init__(self, port: int):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self) -> SmtpServer:
        """Listen now."""
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def body_text(msg) -> str:
    """The text body of a message."""
    return msg.get_body(preferencelist=("plain",)).get_content()


def pdf_text(data: bytes) -> str:
    """The text of a PDF, read back with pypdf."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_attachments(msg) -> dict[str, str]:
    """Each PDF attachment's file name and its text, read back with pypdf."""
    out = {}
    for part in msg.iter_attachments():
        if part.get_content_type() == "application/pdf":
            reader = PdfReader(io.BytesIO(part.get_content()))
            out[part.get_filename()] = "\n".join(page.extract_text() for page in reader.pages)
    return out


def link_in(msg, marker: str) -> str:
    """The first URL in the body that contains `marker`."""
    for word in body_text(msg).split():
        if word.startswith("http") and marker in word:
            return word
    raise AssertionError(f"no link with {marker!r} in {body_text(msg)!r}")
