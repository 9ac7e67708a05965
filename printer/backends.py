"""Getting bytes to a printer (python-escpos connections) and asking it how it is (paper sensor).

A send ends in one of three ways, and the print queue treats them differently:
  * it returns: the printer took the job;
  * ``NotDelivered``: nothing reached the printer (cannot connect, out of paper, CUPS refused the job), so
    the job is simply tried again later;
  * ``MaybeDelivered``: the connection broke while bytes were flowing, so part of the slip may be on paper;
    an officer decides whether to print it again, because a ticket must not be printed twice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from printer.config import CupsPrinter, FilePrinter, NetworkPrinter, NoPrinter, SerialPrinter, UsbPrinter, _Printer

DLE_EOT_ONLINE = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"
STATUS_TIMEOUT = 1.0


class NotDelivered(Exception):
    """Nothing reached the printer: safe to try again."""


class PaperOut(NotDelivered):
    """The printer says it has no paper: nothing was sent."""


class MaybeDelivered(Exception):
    """The connection failed mid-send: part of the job may be on paper."""


class NoPrinterHere(Exception):
    """The station has no printer (backend "none")."""


@dataclass
class Probe:
    reachable: bool | None = None
    online: bool | None = None
    paper: str = ""  # "ok", "low", "out", or "" when the printer did not say
    error: str = ""


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


class EscposTransport(Transport):
    """USB, network and serial printers through python-escpos's connection classes."""

    def _make(self):
        raise NotImplementedError

    def _where(self) -> str:
        raise NotImplementedError

    def _open(self):
        from escpos.exceptions import DeviceNotFoundError

        try:
            p = self._make()
            p.open()
        except (DeviceNotFoundError, OSError, ImportError, RuntimeError) as e:
            raise NotDelivered(f"cannot reach {self._where()}: {_err(e)}") from None
        except Exception as e:  # noqa: BLE001  (pyusb raises its own errors, absent when pyusb is missing)
            raise NotDelivered(f"cannot reach {self._where()}: {_err(e)}") from None
        return p

    def _set_read_timeout(self, p, seconds: float) -> None:
        pass

    def _read_byte(self, p) -> int | None:
        try:
            data = p._read()
        except TimeoutError:
            return None
        except Exception:  # noqa: BLE001  (a printer that does not answer status queries)
            return None
        if data is None or len(data) == 0:
            return None
        return data[-1]

    def _status(self, p) -> Probe:
        probe = Probe(reachable=True)
        if not self.cfg.reports_status:
            return probe
        self._set_read_timeout(p, STATUS_TIMEOUT)
        try:
            p._raw(DLE_EOT_ONLINE)
            b = self._read_byte(p)
            if b is not None:
                probe.online = online_from_status(b)
            p._raw(DLE_EOT_PAPER)
            b = self._read_byte(p)
            if b is not None:
                probe.paper = paper_from_status(b)
        except OSError as e:
            raise NotDelivered(f"{self._where()} closed the connection: {_err(e)}") from None
        finally:
            self._set_read_timeout(p, None)
        return probe

    def send(self, data: bytes, *, job_name: str = "loket") -> Probe:
        p = self._open()
        try:
            probe = self._status(p)
            if probe.paper == "out":
                raise PaperOut(f"{self.name}: out of paper")
            if probe.online is False:
                raise NotDelivered(f"{self.name}: printer is off line (cover open or paper out)")
            try:
                p._raw(data)
                if hasattr(p, "flush"):
                    p.flush()
            except Exception as e:  # noqa: BLE001
                raise MaybeDelivered(f"{self._where()}: connection lost while sending: {_err(e)}") from None
            return probe
        finally:
            try:
                p.close()
            except Exception:  # noqa: BLE001
                pass

    def probe(self) -> Probe:
        try:
            p = self._open()
        except NotDelivered as e:
            return Probe(reachable=False, error=str(e))
        try:
            return self._status(p)
        except NotDelivered as e:
            return Probe(reachable=False, error=str(e))
        finally:
            try:
                p.close()
            except Exception:  # noqa: BLE001
                pass


class NetworkTransport(EscposTransport):
    cfg: NetworkPrinter

    def _make(self):
        from escpos.printer import Network

        return Network(self.cfg.host, self.cfg.port, timeout=self.cfg.timeout, profile=self.cfg.profile)

    def _where(self) -> str:
        return f"{self.cfg.host}:{self.cfg.port}"

    def _set_read_timeout(self, p, seconds):
        if p.device:
            p.device.settimeout(min(seconds, self.cfg.timeout) if seconds else self.cfg.timeout)

    def _read_byte(self, p) -> int | None:
        try:
            data = p.device.recv(16)
        except TimeoutError:
            return None
        if data == b"":
            raise OSError("the printer closed the connection")
        return data[-1]


class UsbTransport(EscposTransport):
    cfg: UsbPrinter

    def _make(self):
        from escpos.printer import Usb

        kw = {"timeout": self.cfg.timeout, "profile": self.cfg.profile}
        if self.cfg.in_ep is not None:
            kw["in_ep"] = self.cfg.in_ep
        if self.cfg.out_ep is not None:
            kw["out_ep"] = self.cfg.out_ep
        return Usb(self.cfg.vendor_id, self.cfg.product_id, usb_args={}, **kw)

    def _where(self) -> str:
        return f"USB {self.cfg.vendor_id:04x}:{self.cfg.product_id:04x}"


class SerialTransport(EscposTransport):
    cfg: SerialPrinter

    def _make(self):
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
        return Probe(reachable=True)

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
            return Probe(reachable=True)
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
        return Probe(reachable=True)

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
