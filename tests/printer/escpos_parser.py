"""A small ESC/POS decoder for tests: bytes that would reach a printer, turned back into lines, QR codes and cuts.

It knows the commands Loket's slips use and fails on anything else, so a slip that sends a stray command
fails its test instead of printing garbage on paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A


@dataclass
class Style:
    align: str = "left"
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    font: str = "a"
    invert: bool = False

    def copy(self) -> Style:
        return Style(**self.__dict__)


@dataclass
class Line:
    text: str
    style: Style

    @property
    def bold(self) -> bool:
        return self.style.bold

    @property
    def align(self) -> str:
        return self.style.align

    @property
    def size(self) -> tuple[int, int]:
        return self.style.width, self.style.height


@dataclass
class Qr:
    payload: str
    size: int | None
    ec: str | None
    model: int | None
    align: str


@dataclass
class Image:
    width: int  # dots
    height: int
    rows: list[list[int]]  # 1 = black dot
    align: str


@dataclass
class Cut:
    mode: str  # "full" | "partial"


@dataclass
class Document:
    items: list = field(default_factory=list)
    initialised: bool = False
    status_queries: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [i for i in self.items if isinstance(i, Line)]

    @property
    def text(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def qrs(self) -> list[Qr]:
        return [i for i in self.items if isinstance(i, Qr)]

    @property
    def images(self) -> list[Image]:
        return [i for i in self.items if isinstance(i, Image)]

    @property
    def cuts(self) -> list[Cut]:
        return [i for i in self.items if isinstance(i, Cut)]

    def find(self, needle: str) -> Line:
        for line in self.lines:
            if needle in line.text:
                return line
        raise AssertionError(f"{needle!r} not on the slip:\n" + "\n".join(self.text))


class EscPosError(AssertionError):
    pass


def parse(data: bytes, encoding: str = "cp437") -> Document:
    """Decode a stream of ESC/POS bytes. Several jobs in one stream give several cuts."""
    doc = Document()
    style = Style()
    buf = bytearray()
    line_style: Style | None = None
    qr_store: dict = {}
    i = 0
    n = len(data)

    def need(k: int) -> bytes:
        if i + k > n:
            raise EscPosError(f"truncated command at byte {i}")
        return data[i : i + k]

    def flush_line():
        nonlocal buf, line_style
        doc.items.append(Line(buf.decode(encoding), (line_style or style).copy()))
        buf = bytearray()
        line_style = None

    while i < n:
        b = data[i]
        if b == LF:
            flush_line()
            i += 1
        elif b == ESC:
            cmd = need(2)[1]
            if cmd == ord("@"):
                style = Style()
                doc.initialised = True
                i += 2
            elif cmd == ord("!"):
                m = need(3)[2]
                style.font = "b" if m & 0x01 else "a"
                style.bold = bool(m & 0x08)
                style.height = 2 if m & 0x10 else 1
                style.width = 2 if m & 0x20 else 1
                style.underline = 1 if m & 0x80 else 0
                i += 3
            elif cmd == ord("E"):
                style.bold = bool(need(3)[2] & 1)
                i += 3
            elif cmd == ord("-"):
                style.underline = need(3)[2] % 48 if need(3)[2] >= 48 else need(3)[2]
                i += 3
            elif cmd == ord("a"):
                v = need(3)[2] % 48 if need(3)[2] >= 48 else need(3)[2]
                style.align = {0: "left", 1: "center", 2: "right"}[v]
                i += 3
            elif cmd == ord("M"):
                v = need(3)[2] % 48 if need(3)[2] >= 48 else need(3)[2]
                style.font = {0: "a", 1: "b", 2: "c"}[v]
                i += 3
            elif cmd == ord("t"):
                i += 3  # code page: slips are ASCII
            elif cmd == ord("d"):
                for _ in range(need(3)[2]):
                    flush_line()
                i += 3
            elif cmd in (ord("{"), ord("3"), ord("J")):
                i += 3
            elif cmd == ord("2"):
                i += 2
            else:
                raise EscPosError(f"unknown command ESC {cmd:#04x} at byte {i}")
        elif b == GS:
            cmd = need(2)[1]
            if cmd == ord("!"):
                m = need(3)[2]
                style.width, style.height = (m >> 4) + 1, (m & 0x0F) + 1
                i += 3
            elif cmd == ord("V"):
                m = need(3)[2]
                if m in (0, 48):
                    doc.items.append(Cut("full"))
                    i += 3
                elif m in (1, 49):
                    doc.items.append(Cut("partial"))
                    i += 3
                elif m in (65, 66):
                    doc.items.append(Cut("full" if m == 65 else "partial"))
                    i += 4
                else:
                    raise EscPosError(f"unknown cut mode {m}")
            elif cmd in (ord("B"), ord("b"), ord("|")):
                if cmd == ord("B"):
                    style.invert = bool(need(3)[2] & 1)
                i += 3
            elif cmd == ord("(") and need(3)[2] == ord("k"):
                pl, ph = need(5)[3], need(5)[4]
                length = pl + ph * 256
                body = need(5 + length)[5:]
                cn, fn, rest = body[0], body[1], body[2:]
                if cn != ord("1"):
                    raise EscPosError(f"2D code type {cn} is not QR")
                if fn == 65:
                    qr_store["model"] = rest[0] - 48
                elif fn == 67:
                    qr_store["size"] = rest[0]
                elif fn == 69:
                    qr_store["ec"] = "LMQH"[rest[0] - 48]
                elif fn == 80:
                    qr_store["payload"] = rest[1:].decode("utf-8")  # after m = '0'
                elif fn == 81:
                    doc.items.append(
                        Qr(
                            qr_store.get("payload", ""),
                            qr_store.get("size"),
                            qr_store.get("ec"),
                            qr_store.get("model"),
                            style.align,
                        )
                    )
                else:
                    raise EscPosError(f"unknown QR function {fn}")
                i += 5 + length
            elif cmd == ord("v") and need(3)[2] == ord("0"):
                head = need(8)
                xl, xh, yl, yh = head[4], head[5], head[6], head[7]
                width_bytes, height = xl + xh * 256, yl + yh * 256
                raster = need(8 + width_bytes * height)[8:]
                rows = []
                for r in range(height):
                    row = []
                    for byte in raster[r * width_bytes : (r + 1) * width_bytes]:
                        row.extend((byte >> (7 - bit)) & 1 for bit in range(8))
                    rows.append(row)
                doc.items.append(Image(width_bytes * 8, height, rows, style.align))
                i += 8 + width_bytes * height
            else:
                raise EscPosError(f"unknown command GS {cmd:#04x} at byte {i}")
        elif b == DLE:
            # Real-time status request (DLE EOT n): the printer answers, nothing is printed.
            if need(2)[1] != 0x04:
                raise EscPosError(f"unknown DLE command at byte {i}")
            doc.status_queries.append(need(3)[2])
            i += 3
        elif b < 0x20:
            raise EscPosError(f"unexpected control byte {b:#04x} at byte {i}")
        else:
            if not buf:
                line_style = style.copy()
            buf.append(b)
            i += 1
    if buf:
        flush_line()
    return doc
