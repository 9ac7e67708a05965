"""Uploads refused when too large, of the wrong type, or not what they claim, each with a clear message; files
kept outside any web folder and read back only through the visitor's token or by the office's staff."""

from __future__ import annotations

import io

import pytest

from rules import uploads
from rules.errors import RuleError
from tests.online.conftest import ABSTRACT, MICRODATA, pdf_bytes, png_bytes, visitor_form


@pytest.fixture
def confirmed(app, make_api):
    """A confirmed online request for microdata (needs the abstract) and its visitor's client and token."""
    visitor = make_api()
    r = visitor.post(
        "/api/online/1600/requests",
        json={"visitor": visitor_form(), "lines": [MICRODATA], "abstract": ABSTRACT, "accept_terms": True},
    )
    assert r.status_code == 201
    from sqlmodel import select

    from models import ProductRequest

    with app.extensions["loket.db"].read() as s:
        token = s.exec(select(ProductRequest.visitor_token)).one()
    assert visitor.post(f"/api/visitor/requests/{token}/confirm").status_code == 200
    return visitor, token


def post_file(client, token, kind, data, name):
    return client.client.post(
        f"/api/visitor/requests/{token}/uploads/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers={"X-CSRFToken": client.token},
        content_type="multipart/form-data",
    )


def test_too_large_is_refused_with_the_limit(confirmed, app):
    visitor, token = confirmed
    limit = app.extensions["loket.settings"].uploads.max_mb
    big = b"%PDF-1.4\n" + b"0" * int((limit + 1) * 1_000_000)
    r = post_file(visitor, token, "abstract", big, "besar.pdf")
    assert r.status_code == 413
    assert f"at most {limit:g} MB" in r.get_json()["message"] or f"{limit:g} MB" in r.get_json()["message"]


def test_wrong_type_is_refused_naming_what_is_accepted(confirmed):
    visitor, token = confirmed
    r = post_file(visitor, token, "abstract", png_bytes(), "abstrak.png")
    assert r.status_code == 415
    assert r.get_json()["error"] == "upload_type"
    assert "PDF" in r.get_json()["message"] and "abstrak.png" in r.get_json()["message"]
    r = post_file(visitor, token, "abstract", b"MZ\x90\x00 an executable", "abstrak.pdf")
    assert r.status_code == 415 and r.get_json()["error"] == "upload_type"


def test_content_is_checked_not_the_name(confirmed):
    visitor, token = confirmed
    r = post_file(visitor, token, "abstract", b"%PDF-1.7\n%%EOF garbage", "abstrak.pdf")
    assert r.status_code == 415 and r.get_json()["error"] == "upload_unreadable"
    broken_png = png_bytes()[:30]
    with pytest.raises(RuleError) as err:
        uploads.check_file("transfer_proof", "bukti.png", broken_png, max_bytes=10_000_000)
    assert err.value.code == "upload_unreadable"
    assert uploads.check_file("transfer_proof", "x.png", png_bytes(), max_bytes=10_000_000).content_type == "image/png"


def test_in_indonesian_by_default(confirmed):
    visitor, token = confirmed
    r = post_file(visitor, token, "abstract", png_bytes(), "abstrak.png")
    assert "harus" in r.get_json()["message"]


def test_files_live_outside_the_web_folders_and_need_the_token_and_the_phone(confirmed, uploads_dir, make_api):
    visitor, token = confirmed
    r = post_file(visitor, token, "abstract", pdf_bytes(), "../../etc/abstrak.pdf")
    assert r.status_code == 200, r.get_json()
    up = r.get_json()["uploads"][0]
    stored = list(uploads_dir.rglob("*.pdf"))
    assert len(stored) == 1 and "etc" not in str(stored[0]) and stored[0].stat().st_mode & 0o077 == 0
    # The file names its sender: the token alone is not enough, the last 4 digits of the phone open it.
    assert visitor.get(up["url"]).status_code == 403
    assert visitor.post(f"/api/visitor/requests/{token}/papers", json={"digits": "7890"}).status_code == 200
    assert visitor.get(up["url"]).data.startswith(b"%PDF-")
    assert make_api().get(up["url"].replace(token, "x" * len(token))).status_code == 404


def test_nothing_uploaded_before_the_address_is_confirmed(app, make_api):
    visitor = make_api()
    visitor.post(
        "/api/online/1600/requests",
        json={"visitor": visitor_form(), "lines": [MICRODATA], "abstract": ABSTRACT, "accept_terms": True},
    )
    from sqlmodel import select

    from models import ProductRequest

    with app.extensions["loket.db"].read() as s:
        token = s.exec(select(ProductRequest.visitor_token)).one()
    r = post_file(visitor, token, "abstract", pdf_bytes(), "abstrak.pdf")
    assert r.status_code == 409 and r.get_json()["error"] == "email_unconfirmed"
