"""Socket.IO: a page of another origin cannot connect (not even with a staff member's cookie); the configured
public URL can; malformed handshakes, payloads and frames get a clean refusal, never a traceback."""

from __future__ import annotations

import logging
import time

import pytest
import socketio
import websocket

from app import create_app
from tests.conftest import LiveServer
from tests.conftest import test_settings as loket_settings


def _connect(url: str, origin: str | None, auth=None, cookie: str = ""):
    client = socketio.Client(reconnection=False)
    headers = {"Origin": origin} if origin else {}
    if cookie:
        headers["Cookie"] = cookie
    try:
        # Long-polling: the HTTP client sends exactly this Origin (the websocket client adds its own beside it).
        client.connect(url, headers=headers, auth=auth, transports=["polling"], wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        return None
    return client


def test_another_origin_is_refused_even_with_a_staff_cookie(live_server, app):
    from tests.conftest import ApiClient

    officer = ApiClient(app.test_client())
    officer.login("petugas1")
    cookie = f"loket_session={officer.client.get_cookie('loket_session').value}"
    staff = {"office": "1600", "screen": "staff"}
    assert _connect(live_server.url, "http://evil.example", staff, cookie) is None
    same = _connect(live_server.url, live_server.url, staff, cookie)
    assert same is not None and same.connected  # the page's own origin (the demo on 127.0.0.1)
    same.disconnect()


def test_the_configured_public_url_is_the_allowed_origin(db_url):
    settings = loket_settings(LOKET_PUBLIC_URL="https://pst.example.go.id/")
    app = create_app({"TESTING": True, "DATABASE_URL": db_url}, settings=settings)
    server = LiveServer(app).start()
    try:
        assert _connect(server.url, "https://pst.example.go.id") is not None
        assert _connect(server.url, server.url) is None  # not the configured address
        assert _connect(server.url, "https://pst.example.go.id.evil.example") is None
    finally:
        server.stop()
        app.extensions["loket.db"].dispose()


def test_a_websocket_from_another_origin_is_refused(live_server):
    url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, timeout=5, origin="http://evil.example")
    assert refused.value.status_code == 400
    websocket.create_connection(url, timeout=5, origin=live_server.url).close()


def _frames(base: str, packets: list[str]) -> list[str]:
    ws = websocket.create_connection(base.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    got = [ws.recv()]
    for p in packets:
        ws.send(p)
    ws.settimeout(1)
    try:
        while True:
            frame = ws.recv()
            got.append(frame)
            if frame == "" or frame.startswith("1"):
                break
    except (websocket.WebSocketTimeoutException, websocket.WebSocketConnectionClosedException):
        pass
    ws.close()
    return got[1:]


@pytest.mark.parametrize(
    "packets,answer",
    [
        (['40"abc"'], '44{"message":"Connection rejected by server"}'),  # auth as a string
        (["40[1,2]"], '44{"message":"Connection rejected by server"}'),  # auth as a list
        (['40{"office":{"a":1}}'], '44{"message":"Connection rejected by server"}'),
        (["40", '421["join","1600"]'], '431[{"ok":false,"error":"invalid"}]'),  # join with a string
        (["40", '422["join",[1]]'], '432[{"ok":false,"error":"invalid"}]'),
        (["40", '423["snapshot",5]'], '433[{"ok":false,"error":"invalid"}]'),
        (["40", '424["snapshot"]'], '434[{"ok":false,"error":"invalid"}]'),
        (["40", "4zzz"], "1"),  # not a Socket.IO packet: the connection is closed
        (["40", '42["join",{'], "1"),  # broken JSON
        (["40", '42{"a":1}'], "1"),  # an event that is not a list
        (["40", "42[]"], "1"),  # an event without a name
        (["xyz"], "1"),  # not even Engine.IO
    ],
)
def test_malformed_input_gets_a_clean_answer_and_no_traceback(live_server, caplog, packets, answer):
    caplog.set_level(logging.INFO)
    got = _frames(live_server.url, packets)
    time.sleep(0.2)  # the server's handler threads finish logging
    assert answer in got or (answer == "1" and got[-1:] in (["1"], [""])), got
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
