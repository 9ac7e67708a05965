"""The mail worker: hands queued e-mails to the SMTP server one at a time, oldest first, and records the outcome.

Guarantees (the same shape as the print worker's, printer/worker.py):
  * a message is claimed with a compare-and-set UPDATE (queued/failed -> sending) committed before a byte goes
    out, so two workers never send one message;
  * one worker sends at a time: it holds the lease row (mailworkerlease) and renews it; another takes over
    when the lease goes stale or its holder's process is gone;
  * in order: the oldest message not yet sent goes first; while it waits for its retry (server down, a
    temporary refusal), the ones after it wait too, so visitors never get the receipt before the invoice;
  * a message refused for good (no such mailbox) is set aside for the supervisor and stops blocking the rest;
  * a message found 'sending' when a worker takes the lease was interrupted mid-send: it may have gone out, so
    it waits for the supervisor's decision and is never sent again on its own.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

import clock
from db import Database
from mail import smtp
from models import MailAttachment, MailMessage, MailStatus, MailWorkerLease
from settings import MailSettings

log = logging.getLogger("loket.mail")
_RUNNING: set[str] = set()
_PENDING = (MailStatus.queued, MailStatus.failed)


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Wait before the next try: base, 2*base, 4*base ... up to cap seconds."""
    return timedelta(seconds=min(cap, base * (2 ** max(attempts - 1, 0))))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class MailWorker:
    """Sends the outbox; `run_once()` for a command or a test, `run(stop)` for a thread."""

    def __init__(
        self,
        db: Database,
        cfg: MailSettings,
        *,
        poll_seconds: float = 2.0,
        backoff_base: float = 10.0,
        backoff_cap: float = 900.0,
        lease_seconds: float = 60.0,
        holder: str | None = None,
    ):
        self.db, self.cfg = db, cfg
        self.poll_seconds, self.backoff_base, self.backoff_cap = poll_seconds, backoff_base, backoff_cap
        self.lease_seconds = lease_seconds
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.has_lease = False

    # ---- the lease ---------------------------------------------------------------------------------
    def _holder_gone(self, holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if host != socket.gethostname() or not pid.isdigit():
            return False
        if int(pid) == os.getpid():
            return holder not in _RUNNING
        return not _pid_alive(int(pid))

    def acquire_lease(self) -> bool:
        """Hold or renew the lease; on taking it, set messages interrupted mid-send aside for a decision."""
        now = clock.utcnow()
        with self.db.write() as s:
            lease = s.get(MailWorkerLease, 1)
            taken = False
            if lease is None:
                s.add(MailWorkerLease(id=1, holder=self.holder, started_at=now, heartbeat_at=now))
                taken = True
            elif lease.holder == self.holder:
                lease.heartbeat_at = now
                s.add(lease)
            elif (now - lease.heartbeat_at).total_seconds() > self.lease_seconds or self._holder_gone(lease.holder):
                log.info("mail worker %s takes over from %s", self.holder, lease.holder)
                lease.holder, lease.started_at, lease.heartbeat_at = self.holder, now, now
                s.add(lease)
                taken = True
            else:
                self.has_lease = False
                _RUNNING.discard(self.holder)
                return False
            if taken:
                for m in s.exec(select(MailMessage).where(MailMessage.status == MailStatus.sending)):
                    m.status = MailStatus.needs_decision
                    m.last_error = "interrupted while sending: it may or may not have gone out"
                    s.add(m)
                    log.warning("mail %s was interrupted mid-send: needs a decision", m.id)
        self.has_lease = True
        _RUNNING.add(self.holder)
        return True

    def release_lease(self) -> None:
        """Give the lease up (on stop), so another worker takes over at once."""
        with self.db.write() as s:
            lease = s.get(MailWorkerLease, 1)
            if lease is not None and lease.holder == self.holder:
                s.delete(lease)
        self.has_lease = False
        _RUNNING.discard(self.holder)

    # ---- messages ----------------------------------------------------------------------------------
    def claim_next(self) -> int | None:
        """The oldest message not yet sent, if it is due: claimed with a compare-and-set. A later one never
        overtakes it."""
        now = clock.utcnow()
        with self.db.write() as s:
            head = s.exec(
                select(MailMessage.id, MailMessage.next_attempt_at)
                .where(MailMessage.status.in_(_PENDING))
                .order_by(MailMessage.id)
                .limit(1)
            ).first()
            if head is None or head[1] > now:
                return None
            result = s.execute(
                update(MailMessage)
                .where(MailMessage.id == head[0], MailMessage.status.in_(_PENDING))
                .values(status=MailStatus.sending, sending_at=now, attempts=MailMessage.attempts + 1)
            )
            return head[0] if result.rowcount == 1 else None

    def process(self, message_id: int) -> str:
        """Send one claimed message; record sent / failed (retry later) / refused."""
        with self.db.read() as s:
            msg = s.get(MailMessage, message_id)
            atts = list(s.exec(select(MailAttachment).where(MailAttachment.message_id == message_id)))
            mime = smtp.build(msg, atts, self.cfg)
        try:
            smtp.send(mime, self.cfg)
        except smtp.Permanent as e:
            return self._finish(message_id, MailStatus.refused, str(e))
        except smtp.Temporary as e:
            return self._finish(message_id, MailStatus.failed, str(e))
        except Exception as e:
            log.exception("mail %s could not be sent", message_id)
            return self._finish(message_id, MailStatus.failed, f"{type(e).__name__}: {e}")
        return self._finish(message_id, MailStatus.sent, "")

    def _finish(self, message_id: int, status: str, error: str) -> str:
        now = clock.utcnow()
        with self.db.write() as s:
            row = s.get(MailMessage, message_id)
            if row.status != MailStatus.sending:  # the supervisor decided meanwhile; theirs stands
                return row.status
            row.status, row.last_error = status, error[:500]
            if status == MailStatus.sent:
                row.sent_at = now
            elif status == MailStatus.failed:
                row.next_attempt_at = now + backoff(row.attempts, self.backoff_base, self.backoff_cap)
            s.add(row)
            attempts = row.attempts
        if status != MailStatus.sent:
            log.warning("mail %s not sent (attempt %s): %s", message_id, attempts, error)
        return status

    def run_once(self) -> int:
        """Send every message that is due now, in order; return how many were sent (needs the lease)."""
        if not self.cfg.enabled:
            return 0
        if not self.has_lease and not self.acquire_lease():
            return 0
        sent = 0
        while True:
            message_id = self.claim_next()
            if message_id is None:
                return sent
            if self.process(message_id) != MailStatus.sent:
                # Server down or the message refused: stop this round (a down server refuses the rest too;
                # a refused one no longer blocks, so the next round goes on with the next message).
                return sent
            sent += 1

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set: renew the lease and send what is due."""
        renew_every = max(self.lease_seconds / 3, 0.05)
        last_renew = None
        try:
            while not stop.is_set():
                try:
                    now = clock.utcnow()
                    if last_renew is None or (now - last_renew).total_seconds() >= renew_every:
                        self.acquire_lease()
                        last_renew = now
                    if self.has_lease:
                        self.run_once()
                except Exception:
                    log.exception("mail worker round failed")
                stop.wait(self.poll_seconds if self.has_lease else renew_every)
        finally:
            try:
                self.release_lease()
            except Exception:
                log.exception("could not release the mail worker lease")


class BackgroundMailWorker:
    """The mail worker as a daemon thread of a server process."""

    def __init__(self, worker: MailWorker):
        self.worker = worker
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=worker.run, args=(self.stop_event,), name="mail-worker", daemon=True)

    def start(self) -> BackgroundMailWorker:
        """Start the thread."""
        self.thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        """Stop the thread and give the lease up."""
        self.stop_event.set()
        self.thread.join(timeout)


def worker_for_app(app, **kwargs) -> MailWorker:
    """A worker on the app's database and SMTP settings."""
    return MailWorker(app.extensions["loket.db"], app.extensions["loket.settings"].mail, **kwargs)


def start_in_process(app, **kwargs) -> BackgroundMailWorker | None:
    """Start the worker thread unless told not to (MAIL_WORKER = False, LOKET_MAIL_WORKER=0; tests never do)."""
    if os.environ.get("LOKET_MAIL_WORKER", "1").lower() in ("0", "false", "no"):
        return None
    if not app.config.get("MAIL_WORKER", not app.testing):
        return None
    bg = BackgroundMailWorker(worker_for_app(app, **kwargs)).start()
    app.extensions["loket.mail_worker"] = bg
    return bg
