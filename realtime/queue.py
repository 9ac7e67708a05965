"""Several server processes, one system: the Socket.IO message queue, and the 'office changed' hint it carries.

Without a message queue there is one process and emits go straight to its screens. With one (Redis, in
production), every emit is published on the queue and delivered by every process to its own connections;
a command or worker outside the web processes emits through `external_emitter()`.
"""

from __future__ import annotations

from socketio import PubSubManager

# A namespace no client ever joins: it only carries the 'office_changed' hint between server processes.
INTERNAL_NAMESPACE = "/loket-internal"
OFFICE_CHANGED = "office_changed"


def office_changed(emitter, office_id: int) -> None:
    """Tell every server process (this one included) that an office changed, so each updates its own screens.

    Through the message queue when there is one (also from an external emitter); otherwise straight to this
    process's hook. A phone's state is worked out where the phone is connected, and only while it is.
    """
    manager = emitter.server.manager
    if isinstance(manager, PubSubManager):
        emitter.emit(OFFICE_CHANGED, {"office_id": office_id}, namespace=INTERNAL_NAMESPACE)
    else:
        hook = getattr(manager, "loket_office_changed", None)
        if hook is not None:
            hook(office_id)


class _OfficeChangedHint:
    """Mixed into Flask-SocketIO's pub/sub manager: 'office_changed' on the internal namespace runs the hook
    (set by realtime.init_app) instead of being delivered; everything else is delivered as usual."""

    loket_office_changed = None

    def _handle_emit(self, message):
        if message.get("namespace") == INTERNAL_NAMESPACE:
            data = message.get("data")
            data = data[0] if isinstance(data, list) and data else data
            if message.get("event") == OFFICE_CHANGED and self.loket_office_changed and isinstance(data, dict):
                self.loket_office_changed(int(data["office_id"]))
            return
        super()._handle_emit(message)


def client_manager(settings):
    """The Socket.IO client manager for create_app: None without a message queue (one process), else the
    manager Flask-SocketIO would choose for the URL, with the 'office changed' hint taught to it."""
    url = settings.message_queue
    if not url:
        return None
    import socketio as sio

    if url.startswith(("redis://", "rediss://")):
        base = sio.RedisManager
    elif url.startswith("kafka://"):
        base = sio.KafkaManager
    elif url.startswith("zmq"):
        base = sio.ZmqManager
    else:
        base = sio.KombuManager
    cls = type(f"Loket{base.__name__}", (_OfficeChangedHint, base), {})
    return cls(url, channel=settings.message_queue_channel, write_only=False)


def external_emitter(settings):
    """A write-only Socket.IO emitter for code outside the web processes (print worker, commands).

    It publishes on the deployment's message queue (LOKET_MESSAGE_QUEUE, same channel), so the emit reaches
    the screens connected to every server process. Returns None without a message queue: then only the web
    process itself can reach its screens.
    """
    if not settings.message_queue:
        return None
    from flask_socketio import SocketIO

    # async_mode threading: a command or worker is a plain process (not monkey-patched by gevent).
    return SocketIO(
        message_queue=settings.message_queue, channel=settings.message_queue_channel, async_mode="threading"
    )
