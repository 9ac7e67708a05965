"""An ESC/POS network printer on a local port, for tests: it answers real-time status queries (DLE EOT n) the way a
real one does and keeps the bytes of every slip it was sent, and it can misbehave like the printers in the field.

Modes:
  * ``answering``: a good printer; answers every status query (on line, paper ok / low / out);
  * ``hung``: takes the connection and reads, but never answers (nor closes);
  * ``hang_after_data``: answers until a slip's bytes arrive, then never again (on any connection) until it is
    switched off and on;
  * ``die_after_data``: answers until a slip's bytes arrive; when asked again it drops the connection and stops
    listening, as a printer switched off (or killed) right after the data;
and off: `stop()` (nothing listens on the port), `start()` again to switch it back on.

A status query is recognised at the end of what has arrived, because the sender waits for its answer before
sending anything else; everything before it is slip data.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field

DLE, EOT = 0x10, 0x04
MODES = ("answering", "hung", "hang_after_data", "die_after_data")


@dataclass
class Slip:
    """The bytes one connection carried besides status queries, and when they had all arrived."""

    data: bytes
    at: float  # time.monotonic()
    queries: list[int] = field(default_factory=list)


class EscPosEmulator:
    PAPER = {"ok": 0x12, "low": 0x1E, "out": 0x72}  # DLE EOT 4: fixed bits 1 and 4, near-end 2-3, end 5-6
    ONLINE, OFFLINE = 0x12, 0x1A  # DLE EOT 1: bit 3 set = off line

    def __init__(self, port: int, *, mode: str = "answering", paper: str = "ok", online: bool = True):
        assert mode in MODES, mode
        self.port, self.mode, self.paper, self.online = port, mode, paper, online
        self.slips: list[Slip] = []
        self.raw: list[bytes] = []  # every connection's bytes, status queries included, in order of closing
        self.queries: list[int] = []
        self.connections = 0
        self.listening_since: float | None = None
        self._hung = False  # hang_after_data: it has hung
        self._lock = threading.Lock()
        self._active = 0
        self._conns: set[socket.socket] = set()
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # ---- on and off ------------------------------------------------------------------------------------
    def start(self) -> EscPosEmulator:
        """Switch the printer on: listen on its port."""
        self._stop.clear()
        self._hung = False
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self.listening_since = time.monotonic()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"escpos-emulator-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Switch it off: stop listening and drop every open connection."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            _drop(c)

    @property
    def on(self) -> bool:
        return self._sock is not None and not self._stop.is_set()

    # ---- what it printed -------------------------------------------------------------------------------
    def wait_idle(self, timeout: float = 10) -> None:
        """Wait until every connection has been closed (by either side)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._active == 0:
                    return
            time.sleep(0.02)
        raise AssertionError("the printer emulator still has open connections")

    @property
    def received(self) -> bytes:
        """Everything received on every closed connection, status queries included."""
        self.wait_idle()
        with self._lock:
            return b"".join(self.raw)

    # ---- the printer ---------------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            sock = self._sock
            if sock is None:
                return
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._active += 1
                self.connections += 1
                self._conns.add(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _answer(self, n: int) -> int:
        if n == 4:
            return self.PAPER[self.paper]
        return self.ONLINE if self.online else self.OFFLINE

    def _handle(self, conn: socket.socket) -> None:
        buf, data, queries, raw = bytearray(), bytearray(), [], bytearray()
        conn.settimeout(0.1)
        died = False
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                raw += chunk
                if len(buf) < 3 or buf[-3] != DLE or buf[-2] != EOT or buf[-1] not in (1, 2, 3, 4):
                    continue
                n = buf[-1]
                data += buf[:-3]
                buf.clear()
                queries.append(n)
                with self._lock:
                    self.queries.append(n)
                if self.mode == "hang_after_data" and data:
                    self._hung = True
                if self.mode == "hung" or self._hung:
                    continue
                if self.mode == "die_after_data" and data:
                    died = True
                    break
                conn.sendall(bytes([self._answer(n)]))
        finally:
            data += buf
            with self._lock:
                if data:
                    self.slips.append(Slip(bytes(data), time.monotonic(), queries))
                self.raw.append(bytes(raw))
                self._conns.discard(conn)
            _drop(conn)
            with self._lock:
                self._active -= 1
            if died:
                self.stop()  # switched off: the next connection is refused


def _drop(conn: socket.socket) -> None:
    """Close at once with a reset, as a printer losing power does (no orderly goodbye)."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        conn.close()
    except OSError:
        pass
