"""One message to the SMTP server: the MIME message built from an outbox row, sent with smtplib."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from models import MailAttachment, MailMessage
from settings import MailSettings


class Temporary(Exception):
    """Not sent now (server down, busy, a 4xx answer): try again later."""


class Permanent(Exception):
    """Refused for good (a 5xx answer about the recipient or the message): retrying would not help."""


def build(msg: MailMessage, attachments: list[MailAttachment], cfg: MailSettings) -> EmailMessage:
    """The MIME message: text body, attachments, and the Message-ID fixed when it was queued."""
    m = EmailMessage()
    m["From"] = formataddr((cfg.from_name, cfg.from_addr))
    m["To"] = msg.to_addr
    m["Subject"] = msg.subject
    m["Date"] = format_datetime(msg.created_at)
    m["Message-ID"] = msg.message_id
    m["Content-Language"] = msg.language
    m.set_content(msg.body)
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        m.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return m


def send(message: EmailMessage, cfg: MailSettings) -> None:
    """Hand the message to the SMTP server; raise Temporary or Permanent when it was not accepted."""
    try:
        if cfg.security == "ssl":
            server = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
        with server:
            if cfg.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if cfg.username:
                server.login(cfg.username, cfg.password)
            refused = server.send_message(message)
            if refused:
                raise Permanent(f"recipient refused: {sorted(refused.values())[0]}")
    except smtplib.SMTPResponseException as e:
        text = f"{e.smtp_code} {e.smtp_error.decode(errors='replace') if isinstance(e.smtp_error, bytes) else e.smtp_error}"
        if 500 <= e.smtp_code < 600:
            raise Permanent(text) from None
        raise Temporary(text) from None
    except smtplib.SMTPRecipientsRefused as e:
        raise Permanent(f"recipient refused: {list(e.recipients.values())[0]}") from None
    except (OSError, smtplib.SMTPException) as e:
        raise Temporary(f"{type(e).__name__}: {e}") from None
