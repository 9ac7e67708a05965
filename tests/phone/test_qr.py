"""The QR code on the kiosk screen: an SVG drawn by the server that a phone camera reads as the status link."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import zxingcpp
from PIL import Image

from tests.phone.conftest import take


def test_qr_svg_decodes_to_the_visitors_status_link(api, page):
    mine = take(api)
    r = api.get(f"/s/{mine['status_token']}/qr.svg")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/svg+xml"
    svg = r.get_data(as_text=True)
    root = ET.fromstring(svg)  # well-formed SVG
    assert root.tag.endswith("svg")
    # Drawn by a real browser, photographed, and read back by a QR decoder.
    page.set_content(f'<body style="margin:0;background:#fff">{svg}</body>')
    png = page.locator("svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert [b.text for b in found] == [mine["status_url"]]
    assert mine["status_url"].endswith(f"/s/{mine['status_token']}")


def test_public_url_setting_goes_into_the_code(app, api, page):
    from settings import load_settings

    app.extensions["loket.settings"] = load_settings(
        env={"LOKET_ALWAYS_OPEN": "1", "LOKET_PUBLIC_URL": "http://pst.bps1600.local"}
    )
    mine = take(api)
    svg = api.get(f"/s/{mine['status_token']}/qr.svg").get_data(as_text=True)
    page.set_content(f'<body style="margin:0;background:#fff">{svg}</body>')
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator("svg").screenshot())).convert("L"))
    assert [b.text for b in found] == [f"http://pst.bps1600.local/s/{mine['status_token']}"]
