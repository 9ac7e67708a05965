"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for the load benchmark's kiosks, officers and /healthz.

The load generator shares the machine's two cores with the server it measures, so every microsecond it
spends per request is taken from the server. aiohttp's client (cookie jar, connector, tracing, response
objects) costs several times more CPU per request than writing pre-built bytes to a socket and reading
the status line, the headers and a Content-Length body back. It speaks only what Loket's JSON API needs:
one connection per client, cookies kept by name (the Flask session), JSON bodies.
"""

from __future__ import annotations

import asyncio
import json


class RawHttp:
    """One keep-alive connection to host:port, carrying its own cookies."""

    def __init__(self, url: str):
        host_port = url.split("://", 1)[1].rstrip("/")
        self.host, _, port = host_port.partition(":")
        self.port = int(port or 80)
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RawHttp:
        await self._connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            self.writer = None

    def _head(self, method: str, path: str, headers: dict | None, length: int | None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if length:
            lines.append("Content-Type: application/json")
        if length is not None:
            lines.append(f"Content-Length: {length}")
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def request(
        self, method: str, path: str, *, json_body=None, headers: dict | None = None, retry: bool = True
    ) -> tuple[int, bytes]:
        """Send one request and read its answer: (status, body). Reconnects once if the server closed the
        idle connection (keep-alive timeout) before this request."""
        body = json.dumps(json_body).encode() if json_body is not None else (b"" if method == "POST" else None)
        data = self._head(method, path, headers, len(body) if body is not None else None) + (body or b"")
        try:
            self.writer.write(data)
            return await self._response()
        except (ConnectionError, asyncio.IncompleteReadError):
            if not retry:
                raise
            await self.close()
            await self._connect()
            return await self.request(method, path, json_body=json_body, headers=headers, retry=False)

    async def _response(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = None
        chunked = close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "set-cookie":
                pair = value.split(";", 1)[0]
                k, _, v = pair.partition("=")
                self.cookies[k.strip()] = v.strip()
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            close = True
        if close:
            await self.close()
            await self._connect()
        return status, body

    async def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, json_body=None, headers: dict | None = None) -> tuple[int, bytes]:
        return await self.request("POST", path, json_body=json_body, headers=headers)
