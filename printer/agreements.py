"""The data-use agreement (SPPD) and the data-sample handover on A4, ready to sign: prefilled from the request
(rules/agreements.py), with the two parties' signature blocks and, on the SPPD, the box for the Rp 10.000
meterai. The same letterhead and page numbers as the invoice (printer/pdf.py)."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Spacer, Table, TableStyle

from printer import documents as D
from printer.i18n import translator
from printer.pdf import BODY, CELL, CENTER, TITLE, _build, _meta_table, _p


class MeteraiBox(Flowable):
    """A dashed box where the Rp 10.000 revenue stamp is stuck and signed across."""

    def __init__(self, label: str, width: float = 32 * mm, height: float = 22 * mm):
        super().__init__()
        self.label, self.width, self.height = label, width, height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setDash(3, 2)
        c.setStrokeColor(colors.HexColor("#666666"))
        c.rect(0, 0, self.width, self.height)
        c.setFont("Helvetica", 7)
        c.setFillColor(colors.HexColor("#666666"))
        c.drawCentredString(self.width / 2, self.height / 2 - 2, self.label)
        c.restoreState()


def _signatures(left: list, right: list) -> Table:
    t = Table([[left, right]], colWidths=[None, None], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([t])


def _block(role: str, name: str, nip_line: bool, _, meterai: bool = False) -> list:
    out = [_p(role, CELL)]
    out += (
        [Spacer(1, 3 * mm), MeteraiBox(_("Meterai Rp 10.000")), Spacer(1, 3 * mm)] if meterai else [Spacer(1, 22 * mm)]
    )
    out.append(_p(name or "....................................", CELL))
    if nip_line:
        out.append(_p("NIP ....................................", CELL))
    return out


def _party(doc: dict, _) -> Table:
    b = doc["buyer"]
    return _meta_table(
        [
            (_("Name"), b.get("name") or "...................."),
            (_("Institution"), b.get("institution") or "...................."),
            (_("E-mail"), b.get("email") or "...................."),
            (_("Phone"), b.get("phone") or "...................."),
        ]
    )


def _products(doc: dict) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(x, BODY)) for x in doc["products"]],
        bulletType="1",
        leftIndent=12,
        bulletFontName="Helvetica",
        bulletFontSize=9.5,
    )


def _when(doc: dict, lang: str) -> str:
    tz = doc["office"].get("timezone") or "Asia/Jakarta"
    moment = doc["date"]
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return D.local_date(moment, tz, lang)


def N_(s: str) -> str:
    """Marks a msgid for extraction; it is translated when rendered."""
    return s


CLAUSES = (
    N_(
        "The SECOND PARTY uses the data only for the purpose stated in the data-use abstract attached to this "
        "agreement."
    ),
    N_("The SECOND PARTY does not give, lend or sell the data, in whole or in part, to any other party."),
    N_(
        "The SECOND PARTY does not try to identify any respondent and publishes no figure that would reveal one "
        "(Law 16/1997 on Statistics)."
    ),
    N_("Every publication using the data names Badan Pusat Statistik as its source."),
    N_("The SECOND PARTY gives the FIRST PARTY a copy of the publications or reports made with the data."),
    N_("A breach of this agreement ends the right to use the data and is dealt with under the law in force."),
)


def sppd_pdf(doc: dict, lang: str = "id") -> bytes:
    """The data-use agreement (SPPD) of a request, ready to sign on a Rp 10.000 meterai."""
    _ = translator(lang)
    office = D.OfficeInfo.model_validate(doc["office"])
    title = _("DATA USE AGREEMENT")
    when = _when(doc, lang)
    story: list = [
        _p(title, TITLE),
        _p(_("(SPPD) for request %(number)s", number=doc["number"]), CENTER),
        Spacer(1, 5 * mm),
        _p(_("On %(date)s the undersigned:", date=when), BODY),
        Spacer(1, 2 * mm),
        _p(
            _(
                "1. %(officer)s, officer of %(office)s, acting for Badan Pusat Statistik, hereafter the FIRST PARTY;",
                officer=doc["officer"] or "....................",
                office=office.name,
            ),
            BODY,
        ),
        Spacer(1, 2 * mm),
        _p(_("2. the person below, hereafter the SECOND PARTY:"), BODY),
        _party(doc, _),
        Spacer(1, 3 * mm),
        _p(_("agree on the use of the following data:"), BODY),
        _products(doc),
        Spacer(1, 3 * mm),
        _p(_("under these terms:"), BODY),
        ListFlowable(
            [ListItem(_p(_(c), BODY)) for c in CLAUSES],
            bulletType="1",
            leftIndent=12,
            bulletFontName="Helvetica",
            bulletFontSize=9.5,
        ),
        Spacer(1, 3 * mm),
        _p(_("Made in two copies, one for each party; the SECOND PARTY signs on a Rp 10.000 meterai."), BODY),
        Spacer(1, 6 * mm),
        _p(f"{office.city + ', ' if office.city else ''}{when}", CELL),
        _signatures(
            _block(_("FIRST PARTY"), doc["officer"], True, _),
            _block(_("SECOND PARTY"), doc["buyer"].get("name", ""), False, _, meterai=True),
        ),
    ]
    return _build(title, doc["number"], office, story, _, "")


def sample_pdf(doc: dict, lang: str = "id") -> bytes:
    """The data-sample handover of a request: what was handed, to whom, two signatures."""
    _ = translator(lang)
    office = D.OfficeInfo.model_validate(doc["office"])
    title = _("DATA SAMPLE HANDOVER")
    when = _when(doc, lang)
    story: list = [
        _p(title, TITLE),
        _p(_("for request %(number)s", number=doc["number"]), CENTER),
        Spacer(1, 5 * mm),
        _p(
            _(
                "On %(date)s the officer of %(office)s handed over to the person below a sample of the following "
                "microdata, to check its variables and format before buying:",
                date=when,
                office=office.name,
            ),
            BODY,
        ),
        Spacer(1, 2 * mm),
        _party(doc, _),
        Spacer(1, 3 * mm),
        _products(doc),
        Spacer(1, 3 * mm),
        _p(_("The sample is used only to check the data; it is not published or given to anyone else."), BODY),
        Spacer(1, 6 * mm),
        _p(f"{office.city + ', ' if office.city else ''}{when}", CELL),
        _signatures(
            _block(_("Handed over by"), doc["officer"], True, _),
            _block(_("Received by"), doc["buyer"].get("name", ""), False, _),
        ),
    ]
    return _build(title, doc["number"], office, story, _, "")


def render(doc: dict, lang: str = "id") -> bytes:
    return sppd_pdf(doc, lang) if doc["kind"] == "sppd" else sample_pdf(doc, lang)
