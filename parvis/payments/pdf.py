"""The PDF receipt (« quittance ») of a paid payment, drawn with fpdf2."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .formatting import euros

_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font_path(name: str) -> Path | None:
    configured = getattr(settings, "PARVIS_PAYMENTS_RECEIPT_FONT_DIR", "")
    for folder in ([Path(configured)] if configured else []) + _FONT_DIRS:
        path = folder / name
        if path.is_file():
            return path
    return None


def receipt_pdf(receipt, *, commune_name: str = "") -> bytes:
    """The receipt as PDF bytes. Uses DejaVu Sans when installed (euro sign, accents);
    otherwise Helvetica with « EUR »."""
    from fpdf import FPDF

    payment = receipt.payment
    pdf = FPDF(format="A4")
    pdf.set_title(_("Quittance %(number)s") % {"number": receipt.number})
    pdf.set_creator("Parvis")
    regular, bold = _font_path("DejaVuSans.ttf"), _font_path("DejaVuSans-Bold.ttf")
    if regular and bold:
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold))
        family = "body"

        def text(value: str) -> str:
            return value

    else:
        family = "helvetica"

        def text(value: str) -> str:
            value = value.replace("\u00a0€", " EUR").replace("\u202f", " ").replace("\u00a0", " ")
            return value.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font(family, "B", 18)
    pdf.cell(
        0,
        12,
        text(_("Quittance n° %(number)s") % {"number": receipt.number}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(family, "", 11)
    if commune_name:
        pdf.cell(0, 7, text(commune_name), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, text(payment.regie.name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    paid_at = timezone.localtime(payment.paid_at)
    rows = [
        (_("Payeur"), payment.payer_name or payment.email),
        (_("Objet"), payment.label),
        (_("Montant payé"), euros(payment.amount)),
        (_("Date du paiement"), paid_at.strftime("%d/%m/%Y %H:%M")),
        (_("Référence du paiement"), payment.refdet or ""),
    ]
    if payment.idop:
        rows.append((_("Référence PayFiP (idop)"), payment.idop))
    invoices = list(payment.paid_invoices.order_by("number"))
    for invoice in invoices:
        rows.append(
            (
                _("Facture n° %(number)s") % {"number": invoice.number},
                f"{invoice.label} – {euros(invoice.amount)}",
            )
        )
    for label, value in rows:
        pdf.set_font(family, "B", 11)
        pdf.cell(60, 8, text(label))
        pdf.set_font(family, "", 11)
        pdf.multi_cell(0, 8, text(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(family, "", 9)
    pdf.multi_cell(
        0,
        5,
        text(
            _(
                "Cette quittance atteste le paiement de la somme indiquée, reçu à la régie. "
                "Conservez-la : elle vous sera demandée en cas de réclamation."
            )
            if payment.is_offline
            else _(
                "Cette quittance atteste le paiement en ligne de la somme indiquée à la régie. "
                "Conservez-la : elle vous sera demandée en cas de réclamation."
            )
        ),
    )
    return bytes(pdf.output())
