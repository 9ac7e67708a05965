"""Socket.IO input that is not the protocol: a frame that does not decode, an event without a name, a binary
packet out of place. python-socketio raises on these inside its message dispatch, which logged a traceback and
left the client without an answer. Here such a connection is closed cleanly (the client sees a disconnect) with
one warning line. Payloads that decode but are not what a handler expects are answered by the handlers.
"""

from __future__ import annotations

import json
import logging

from engineio import packet as engineio_packet

log = logging.getLogger("socketio.guard")

MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, json.JSONDecodeError)


class _ClosingPacket(engineio_packet.Packet):
    """An Engine.IO packet that, when its frame does not decode, reads as CLOSE: Engine.IO decodes websocket
    frames outside its own error handling, so a stray frame ended in a traceback; now the connection closes."""

    def decode(self, encoded_packet):
        """Decode as usual; a frame that is not Engine.IO becomes a CLOSE packet."""
        try:
            return super().decode(encoded_packet)
        except MALFORMED:
            log.warning("malformed Engine.IO frame: connection closed")
            self.packet_type, self.data, self.binary = engineio_packet.CLOSE, None, False
            return None


def guard_packets(server) -> None:
    """Wrap the Socket.IO server's Engine.IO message handler (once per server), and make undecodable Engine.IO
    frames close their connection (once per process)."""
    engineio_packet.Packet = _ClosingPacket
    original = server._handle_eio_message
    if getattr(original, "loket_guard", False):
        return

    def handle(eio_sid, data):
        """Dispatch a message; a packet that is not the protocol closes its connection."""
        try:
            return original(eio_sid, data)
        except MALFORMED as e:
            server._binary_packet.pop(eio_sid, None)
            log.warning("malformed Socket.IO packet (%s): connection closed", type(e).__name__)
            server.eio.disconnect(eio_sid)
            return None

    handle.loket_guard = True
    server._handle_eio_message = handle
    server.eio.on("message", handle)
