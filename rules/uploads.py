"""Files uploaded for a request (online steps 5, 11, 12): the data-use abstract, the signed SPPD, the proof of a
bank transfer from abroad. Their limits (size, type), the check that the content is what it claims (a PDF is
parsed, an image decoded), and what each upload does to the request. The bytes are kept by storage.py."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from clock import iso, utcnow
from models import ProductRequest, RequestDocument, RequestUpload
from rules import requests as rq
from rules.errors import N_, Msg, NotFound, RuleError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
KINDS: dict[str, tuple[str, ...]] = {
    "abstract": (PDF,),
    "sppd": (PDF, JPEG, PNG),  # a scan or a clear photo of the signed paper
    "transfer_proof": (PDF, JPEG, PNG),
}
KIND_WORDS = {
    "abstract": N_("data-use abstract"),
    "sppd": N_("signed SPPD"),
    "transfer_proof": N_("proof of bank transfer"),
}
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
MAX_PIXELS = 40_000_000  # a photo of a paper; anything larger is refused rather than decoded


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    sha256: str


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return ""


def _is_pdf(data: bytes) -> bool:
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            return len(reader.pages) > 0
    except Exception:  # noqa: BLE001 - any parser failure means "not a readable PDF"
        return False


def _is_image(data: bytes, content_type: str) -> bool:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    return False
                want = {JPEG: "JPEG", PNG: "PNG"}[content_type]
                if img.format != want:
                    return False
                img.verify()
        return True
    except Exception:  # noqa: BLE001 - any decoder failure means "not a readable image"
        return False


def check_file(kind: str, filename: str, data: bytes, *, max_bytes: int) -> Checked:
    """Refuse a file that is too large, empty, of a type this document may not be, or not what it claims."""
    if kind not in KINDS:
        raise NotFound("upload_kind", N_("Nothing of this kind can be uploaded."))
    what = Msg(KIND_WORDS[kind])
    if not data:
        raise RuleError("upload_empty", N_("The file is empty."), status=400)
    if len(data) > max_bytes:
        raise RuleError(
            "upload_too_large",
            N_("The file is %(size)s MB; a %(document)s may be at most %(limit)s MB."),
            status=413,
            size=f"{len(data) / 1_000_000:.1f}",
            limit=f"{max_bytes / 1_000_000:g}",
            document=what,
        )
    allowed = KINDS[kind]
    kinds_text = N_("a PDF") if allowed == (PDF,) else N_("a PDF, JPEG or PNG file")
    content_type = _sniff(data)
    if content_type not in allowed:
        raise RuleError(
            "upload_type",
            N_("A %(document)s must be %(kinds)s; %(name)s is not."),
            status=415,
            document=what,
            kinds=Msg(kinds_text),
            name=(filename or "this file")[:80],
        )
    ok = _is_pdf(data) if content_type == PDF else _is_image(data, content_type)
    if not ok:
        raise RuleError(
            "upload_unreadable",
            N_("%(name)s cannot be read as %(kinds)s; it may be damaged. Save it again and upload it."),
            status=415,
            name=(filename or "this file")[:80],
            kinds=Msg(kinds_text),
        )
    return Checked(content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def add_upload(
    session: Session,
    *,
    request_id: int,
    kind: str,
    filename: str,
    checked: Checked,
    stored_name: str,
    by_visitor: bool = True,
    user_id: int | None = None,
    now: datetime | None = None,
) -> RequestUpload:
    """Record an uploaded file on its request, and what it does: an abstract is in for the officer's check, a
    signed SPPD is received, a transfer's proof becomes a payment waiting for the treasurer."""
    now = now or utcnow()
    user = rq.get_user(session, user_id)
    req = rq.get_request(session, request_id, for_update=True)
    rq.require(req, "upload", user=user, by_visitor=by_visitor)
    if req.channel == "online" and req.email_confirmed_at is None:
        raise RuleError(
            "email_unconfirmed",
            N_("Confirm your e-mail address through the link we sent before sending documents."),
        )
    _refuse_out_of_step(session, req, kind)
    up = RequestUpload(
        office_id=req.office_id,
        request_id=req.id,
        kind=kind,
        filename=(filename or kind)[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        stored_name=stored_name,
        uploaded_at=now,
        by_visitor=by_visitor,
        user_id=user.id if user else None,
    )
    session.add(up)
    session.flush()
    rq.record(session, req, "upload", now=now, user=user, by_visitor=by_visitor, document=kind, upload=up.id)
    if kind == "abstract":
        doc = session.exec(
            select(RequestDocument).where(RequestDocument.request_id == req.id, RequestDocument.kind == "abstract")
        ).first()
        if doc is not None and not doc.received:
            doc.note = "uploaded, to be checked"
            session.add(doc)
    elif kind == "sppd":
        rq.sign_sppd(session, request_id=req.id, user_id=user_id, how="upload", by_visitor=by_visitor, now=now)
    elif kind == "transfer_proof":
        from rules.payments import record_transfer

        record_transfer(session, request_id=req.id, upload_id=up.id, now=now)
    return up


def _refuse_out_of_step(session: Session, req: ProductRequest, kind: str) -> None:
    if kind == "abstract" and req.state not in ("open", "agreed", "checked"):
        raise RuleError("upload_late", N_("The abstract is checked before the invoice; it can no longer be changed."))
    if kind == "sppd":
        if not rq.needs_sppd(session, req):
            raise RuleError("no_sppd", N_("Only microdata and maps need an SPPD; this request needs none."))
        if req.sppd_signed_at is not None:
            raise RuleError("sppd_done", N_("The signed SPPD was already recorded."))
    if kind == "transfer_proof" and req.state not in rq.UNPAID_WORK:
        raise RuleError("upload_not_now", N_("A proof of transfer is sent after the invoice, before the receipt."))


def uploads_of(session: Session, request_id: int) -> list[RequestUpload]:
    """A request's uploads, oldest first."""
    return list(
        session.exec(select(RequestUpload).where(RequestUpload.request_id == request_id).order_by(RequestUpload.id))
    )


def get_upload(session: Session, upload_id: int, *, request_id: int) -> RequestUpload:
    """An upload of this request (404 for another request's)."""
    up = session.get(RequestUpload, upload_id)
    if up is None or up.request_id != request_id:
        raise NotFound("upload_not_found", N_("No such file."))
    return up


def upload_json(up: RequestUpload) -> dict:
    """An upload as screens list it (the file itself only through an authorised endpoint)."""
    return {
        "id": up.id,
        "kind": up.kind,
        "filename": up.filename,
        "content_type": up.content_type,
        "size": up.size,
        "uploaded_at": iso(up.uploaded_at),
        "by_visitor": up.by_visitor,
    }
