"""Getting bytes to a printer (python-escpos connections) and asking it how it is (paper sensor).

A send ends in one of four ways, and the print queue treats them differently:
  * it returns a ``Probe`` with ``confirmed``: the printer said it is on line with paper *after* the slip's
    bytes (DLE EOT, real-time status), or the backend's best confirmation (CUPS accepted the job, the file
    was written) when it cannot answer;
  * ``NotDelivered``: nothing reached the printer (cannot connect, out of paper, no answer to the status
    query before the data), so the job is simply tried again when the printer answers;
  * ``Unconfirmed``: every byte went out but the printer did not confirm (no answer in time, the connection
    closed, or it reports a fault right after the slip): it may or may not be on paper;
  * ``MaybeDelivered``: the connection broke while bytes were flowing, so part of the slip may be on paper.
The last two wait for a person's decision, because a ticket must never be printed twice nor counted as
printed when it is not. Every step has a time-out: connecting, each status answer, writing, closing.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass

from escpos.constants import RT_STATUS_ONLINE as DLE_EOT_ONLINE
from escpos.constants import RT_STATUS_PAPER as DLE_EOT_PAPER

from printer.config import CupsPrinter, FilePrinter, NetworkPrinter, NoPrinter, SerialPrinter, UsbPrinter, _Printer

# A printer answers a real-time status query at once; one that has not within a second is hung.
STATUS_TIMEOUT = 1.0
# Connecting to a printer that is switched off waits for the connect time-out: a probe gives up sooner.
PROBE_CONNECT_TIMEOUT = 1.0


class PrintFailure(Exception):
    """A send that did not end in a confirmed slip, with what the printer said about itself (if anything)."""

    def __init__(self, message: str, probe: Probe | None = None):
        super().__init__(message)
        self.probe = probe


class NotDelivered(PrintFailure):
    """Nothing reached the printer: safe to try again."""


class PaperOut(NotDelivered):
    """The printer says it has no paper: nothing was sent."""


class NotResponding(NotDelivered):
    """The printer took the connection but did not answer the status query: it hangs. Nothing was sent."""


class MaybeDelivered(PrintFailure):
    """The connection failed mid-send: part of the job may be on paper."""


class Unconfirmed(PrintFailure):
    """Every byte was sent but the printer did not confirm it: it may or may not be on paper."""


class NoPrinterHere(Exception):
    """The station has no printer (backend "none")."""


@dataclass
class Probe:
    """What a printer said about itself: the connection, its status answer, the paper sensor."""

    reachable: bool | None = None
    online: bool | None = None
    paper: str = ""  # "ok", "low", "out", or "" when the printer did not say
    error: str = ""
    # False: the connection was taken but the status query went unanswered (a hung printer).
    responding: bool | None = None
    # How the last slip was confirmed: "status" (the printer answered after it), "accepted" (the backend's
    # best: CUPS took it, the file was written, or status queries are switched off), "" (not a send).
    confirmed: str = ""

    @property
    def ready(self) -> bool:
        """Whether a slip may be sent now: reachable, answering where it can, on line, with paper."""
        return (
            bool(self.reachable) and self.responding is not False and self.online is not False and self.paper != "out"
        )


def paper_from_status(byte: int) -> str:
    """Decode the answer to DLE EOT 4 (paper roll sensor); fixed bits 1 and 4 are set, 0 and 7 clear."""
    if byte & 0x93 != 0x12:
        return ""
    if byte & 0x60:
        return "out"
    if byte & 0x0C:
        return "low"
    return "ok"


def online_from_status(byte: int) -> bool | None:
    """Decode the answer to DLE EOT 1 (printer status): bit 3 set means off line."""
    if byte & 0x93 != 0x12:
        return None
    return not byte & 0x08


def _err(e: BaseException) -> str:
    text = str(e).strip().replace("\n", " ")
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


class Transport:
    """One printer's connection."""

    def __init__(self, name: str, cfg: _Printer):
        self.name = name
        self.cfg = cfg

    def send(self, data: bytes, *, job_name: str = "loket") -> Probe:
        raise NotImplementedError

    def probe(self) -> Probe:
        return Probe()


class _Gone(Exception):
    """The connection closed or failed while waiting for the printer's answer."""


class EscposTransport(Transport):
    """USB, network and serial printers through python-escpos's connection classes.

    With status queries on (the default), a slip is sent only after the printer answered DLE EOT 1 and 4
    (on line, paper), and counts as printed only when it answers DLE EOT 1 again after the slip's bytes.
    """

    def _make(self, *, probe: bool = False):
        raise NotImplementedError

    def _where(self) -> str:
        raise NotImplementedError

    def _open(self, *, probe: bool = False):
        from escpos.exceptions import DeviceNotFoundError

        try:
            p = self._make(probe=probe)
            p.open()
        except (DeviceNotFoundError, OSError, ImportError, RuntimeError) as e:
            raise NotDelivered(f"cannot reach {self._where()}: {_err(e)}") from None
        except Exception as e:  # noqa: BLE001  (pyusb raises its own errors, absent when pyusb is missing)
            raise NotDelivered(f"cannot reach {self._where()}: {_err(e)}") from None
        self._after_open(p)
        return p

    def _after_open(self, p) -> None:
        """Set the connection's own time-outs (each backend has its way)."""

    def _drain(self, p) -> None:
        """Drop bytes the printer sent unasked (a late answer), so the next answer is the one asked for."""

    def _answer(self, p, timeout: float) -> int | None:
        """One status byte within `timeout` seconds; None when none came; _Gone when the connection ended."""
        raise NotImplementedError

    def _query(self, p, command: bytes, timeout: float) -> int | None:
        """Send a real-time status query (python-escpos's query_status without its blocking read)."""
        try:
            p._raw(command)
        except Exception as e:  # noqa: BLE001
            raise _Gone(_err(e)) from None
        return self._answer(p, timeout)

    def _status(self, p, timeout: float = STATUS_TIMEOUT) -> Probe:
        """Ask DLE EOT 1 (on line) and DLE EOT 4 (paper); `responding` False when the first gets no answer."""
        probe = Probe(reachable=True)
        if not self.cfg.reports_status:
            return probe
        self._drain(p)
        b = self._query(p, DLE_EOT_ONLINE, timeout)
        if b is None or online_from_status(b) is None:
            probe.responding = False
            probe.error = (
                f"{self._where()} took the connection but did not answer the status query within {timeout:g} s:"
                " the printer hangs (switch it off and on), or it cannot answer status queries (then set"
                " status_query = false for it in config.toml)"
            )
            return probe
        probe.responding, probe.online = True, online_from_status(b)
        b = self._query(p, DLE_EOT_PAPER, timeout)
        if b is not None:
            probe.paper = paper_from_status(b)
        return probe

    def send(self, data: bytes, *, job_name: str = "loket") -> Probe:
        p = self._open()
        try:
            try:
                probe = self._status(p)
            except _Gone as e:
                raise NotDelivered(f"{self._where()} closed the connection: {e}") from None
            if probe.responding is False:
                raise NotResponding(probe.error, probe)
            if probe.paper == "out":
                probe.error = f"{self.name}: out of paper"
                raise PaperOut(probe.error, probe)
            if probe.online is False:
                probe.error = f"{self.name}: printer is off line (cover open or paper out)"
                raise NotDelivered(probe.error, probe)
            try:
                p._raw(data)
                if hasattr(p, "flush"):
                    p.flush()
            except Exception as e:  # noqa: BLE001
                error = f"{self._where()}: connection lost while sending: {_err(e)}"
                raise MaybeDelivered(error, Probe(reachable=False, error=error)) from None
            return self._confirm(p)
        finally:
            try:
                p.close()
            except Exception:  # noqa: BLE001
                pass

    def _confirm(self, p) -> Probe:
        """After the slip: the printer must say it is on line (and not out of paper), or the job is unconfirmed."""
        if not self.cfg.reports_status:
            return Probe(reachable=True, confirmed="accepted")
        # The answer may wait until the printer's receive buffer has room for the query: allow the job's
        # whole time-out, not just the second a real-time answer usually takes.
        try:
            after = self._status(p, timeout=self.cfg.confirm_timeout)
        except _Gone as e:
            raise Unconfirmed(
                f"{self._where()} closed the connection after the slip, before confirming it: {e}",
                Probe(reachable=False, error=f"connection closed after the slip: {e}"),
            ) from None
        if after.responding is False:
            after.error = f"{self._where()} did not answer after the slip: it may hang; the slip may not be on paper"
            raise Unconfirmed(after.error, after)
        if after.online is False or after.paper == "out":
            fault = "out of paper" if after.paper == "out" else "off line"
            after.error = f"{self.name} reports {fault} right after the slip: it may be cut short"
            raise Unconfirmed(after.error, after)
        after.confirmed = "status"
        return after

    def probe(self) -> Probe:
        try:
            p = self._open(probe=True)
        except NotDelivered as e:
            return Probe(reachable=False, error=str(e))
        try:
            return self._status(p)
        except _Gone as e:
            return Probe(reachable=False, error=f"{self._where()} closed the connection: {e}")
        finally:
            try:
                p.close()
            except Exception:  # noqa: BLE001
                pass


class NetworkTransport(EscposTransport):
    cfg: NetworkPrinter

    def _make(self, *, probe: bool = False):
        from escpos.printer import Network

        timeout = min(self.cfg.timeout, PROBE_CONNECT_TIMEOUT) if probe else self.cfg.timeout
        return Network(self.cfg.host, self.cfg.port, timeout=timeout, profile=self.cfg.profile)

    def _where(self) -> str:
        return f"{self.cfg.host}:{self.cfg.port}"

    def _after_open(self, p) -> None:
        p.device.settimeout(self.cfg.timeout)  # every write and the closing handshake
        # A status query is 3 bytes right after the slip: without this, Nagle's algorithm holds it back until
        # the printer acknowledges the slip (up to 40 ms of delayed ACK) before the printer can answer.
        p.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _drain(self, p) -> None:
        p.device.settimeout(0)
        try:
            while p.device.recv(64):
                pass
        except (BlockingIOError, TimeoutError, InterruptedError):
            pass
        except OSError as e:
            raise _Gone(_err(e)) from None
        finally:
            p.device.settimeout(self.cfg.timeout)

    def _answer(self, p, timeout: float) -> int | None:
        p.device.settimeout(timeout)
        try:
            data = p.device.recv(16)  # what python-escpos's Network._read does, under our time-out
        except TimeoutError:
            return None
        except OSError as e:
            raise _Gone(_err(e)) from None
        finally:
            p.device.settimeout(self.cfg.timeout)
        if data == b"":
            raise _Gone("the printer closed the connection")
        return data[-1]


class UsbTransport(EscposTransport):
    cfg: UsbPrinter

    def _make(self, *, probe: bool = False):
        from escpos.printer import Usb

        kw = {"timeout": self.cfg.timeout, "profile": self.cfg.profile}
        if self.cfg.in_ep is not None:
            kw["in_ep"] = self.cfg.in_ep
        if self.cfg.out_ep is not None:
            kw["out_ep"] = self.cfg.out_ep
        return Usb(self.cfg.vendor_id, self.cfg.product_id, usb_args={}, **kw)

    def _where(self) -> str:
        return f"USB {self.cfg.vendor_id:04x}:{self.cfg.product_id:04x}"

    def _answer(self, p, timeout: float) -> int | None:
        try:
            data = p.device.read(p.in_ep, 16, int(timeout * 1000))
        except Exception as e:  # noqa: BLE001  (pyusb's USBTimeoutError, or USBError when the device went away)
            if type(e).__name__ == "USBTimeoutError" or getattr(e, "errno", None) == errno.ETIMEDOUT:
                return None
            raise _Gone(_err(e)) from None
        return data[-1] if len(data) else None


class SerialTransport(EscposTransport):
    cfg: SerialPrinter

    def _make(self, *, probe: bool = False):
        from escpos.printer import Serial

        return Serial(
            devfile=self.cfg.device,
            baudrate=self.cfg.baudrate,
            bytesize=self.cfg.bytesize,
            timeout=self.cfg.timeout,
            parity=self.cfg.parity,
            stopbits=self.cfg.stopbits,
            dsrdtr=self.cfg.dsrdtr,
            profile=self.cfg.profile,
        )

    def _where(self) -> str:
        return self.cfg.device

    def _after_open(self, p) -> None:
        # python-escpos sets no write time-out: with hardware flow control a stuck printer would block forever.
        p.device.write_timeout = max(self.cfg.timeout, 5.0)

    def _answer(self, p, timeout: float) -> int | None:
        p.device.timeout = timeout
        try:
            data = p.device.read(16)
        except Exception as e:  # noqa: BLE001  (pyserial's SerialException)
            raise _Gone(_err(e)) from None
        finally:
            p.device.timeout = self.cfg.timeout
        return data[-1] if data else None


class CupsTransport(Transport):
    """A raw CUPS queue through the `lp` command (as python-escpos's LP printer does): once CUPS has
    accepted the job it spools and retries it itself, so an accepted job counts as printed."""

    cfg: CupsPrinter

    def send(self, data: bytes, *, job_name: str = "loket") -> Probe:
        if not shutil.which("lp"):
            raise NotDelivered("the CUPS client (lp) is not installed")
        try:
            r = subprocess.run(
                ["lp", "-d", self.cfg.queue, "-t", job_name, "-o", "raw"], input=data, capture_output=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError) as e:
            raise NotDelivered(f"CUPS queue {self.cfg.queue}: {_err(e)}") from None
        if r.returncode != 0:
            raise NotDelivered(
                f"CUPS queue {self.cfg.queue} refused the job: {r.stderr.decode(errors='replace').strip()[:200]}"
            )
        return Probe(reachable=True, confirmed="accepted")

    def probe(self) -> Probe:
        if not shutil.which("lpstat"):
            return Probe(reachable=False, error="the CUPS client (lpstat) is not installed")
        try:
            r = subprocess.run(["lpstat", "-p", self.cfg.queue], capture_output=True, timeout=10, text=True)
        except (OSError, subprocess.SubprocessError) as e:
            return Probe(reachable=False, error=_err(e))
        if r.returncode != 0:
            return Probe(reachable=False, error=(r.stderr or r.stdout).strip()[:200])
        disabled = "disabled" in r.stdout
        return Probe(reachable=not disabled, online=not disabled, error=r.stdout.strip()[:200] if disabled else "")


class FileTransport(Transport):
    """A device file (written in one go) or a directory with one file per job (written, then renamed, so a
    half-written job never appears)."""

    cfg: FilePrinter

    def send(self, data: bytes, *, job_name: str = "loket") -> Probe:
        target = self.cfg.target()
        if self.cfg.directory:
            try:
                target.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target, prefix=".", suffix=".part")
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, target / f"{job_name}.escpos")
            except OSError as e:
                raise NotDelivered(f"cannot write to {target}: {_err(e)}") from None
            return Probe(reachable=True, confirmed="accepted")
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import File

        p = File(devfile=str(target), profile=self.cfg.profile)
        try:
            p.open()
        except (DeviceNotFoundError, OSError) as e:
            raise NotDelivered(f"cannot open {target}: {_err(e)}") from None
        try:
            p._raw(data)
        except OSError as e:
            raise MaybeDelivered(f"{target}: write failed: {_err(e)}") from None
        finally:
            try:
                p.close()
            except OSError:
                pass
        return Probe(reachable=True, confirmed="accepted")

    def probe(self) -> Probe:
        target = self.cfg.target()
        if self.cfg.directory:
            ok = (
                target.is_dir()
                and os.access(target, os.W_OK)
                or (
                    not target.exists()
                    and os.access(next((p for p in target.parents if p.exists()), target.anchor), os.W_OK)
                )
            )
        else:
            ok = target.exists() and os.access(target, os.W_OK)
        return Probe(reachable=bool(ok), error="" if ok else f"{target} is not writable")


class NoTransport(Transport):
    cfg: NoPrinter

    def send(self, data: bytes, *, job_name: str = "loket") -> Probe:
        raise NoPrinterHere(f"station printer {self.name!r} is 'none'")


TRANSPORTS = {
    "network": NetworkTransport,
    "usb": UsbTransport,
    "serial": SerialTransport,
    "cups": CupsTransport,
    "file": FileTransport,
    "none": NoTransport,
}


def transport_for(name: str, cfg: _Printer) -> Transport:
    return TRANSPORTS[cfg.backend](name, cfg)
