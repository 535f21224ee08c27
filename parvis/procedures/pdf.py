"""The PDF receipt of a submitted request (« récépissé de dépôt »), drawn with fpdf2.

It holds what the requester submitted (answers summary, attachments' names) and nothing
from the service's handling: no internal note, no agent, no timeline."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.payments.formatting import euros

_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font_path(name: str) -> Path | None:
    configured = getattr(settings, "PARVIS_PAYMENTS_RECEIPT_FONT_DIR", "")
    for folder in ([Path(configured)] if configured else []) + _FONT_DIRS:
        path = folder / name
        if path.is_file():
            return path
    return None


def answers_summary(request) -> list[tuple[str, str]]:
    """(label, value) of the answers, through the version's form when formspec offers
    a summary; otherwise the stored keys and values."""
    from . import formspec

    summary = getattr(formspec, "summary", None)
    spec_class = getattr(formspec, "FormSpec", None)
    if summary is not None and spec_class is not None:
        return [
            (str(label), str(value))
            for label, value in summary(spec_class(request.version.schema), request.data)
        ]
    return [(str(key), str(value)) for key, value in (request.data or {}).items()]


def request_receipt_pdf(request, *, commune_name: str = "") -> bytes:
    """The receipt as PDF bytes (DejaVu Sans when installed, else Helvetica)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_("Demande n° %(number)s") % {"number": request.number})
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

    def row(label: str, value: str) -> None:
        pdf.set_font(family, "B", 10)
        pdf.multi_cell(0, 6, text(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 6, text(value or "—"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    if commune_name:
        pdf.set_font(family, "", 11)
        pdf.cell(0, 7, text(commune_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(
        0,
        9,
        text(_("Récépissé de dépôt — demande n° %(number)s") % {"number": request.number}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(family, "", 11)
    pdf.multi_cell(0, 7, text(request.procedure.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    submitted = timezone.localtime(request.submitted_at)
    row(_("Déposée le"), submitted.strftime("%d/%m/%Y à %H:%M"))
    row(_("Demandeur"), request.requester_name or request.email)
    row(_("Adresse e-mail"), request.email)
    if request.phone:
        row(_("Téléphone"), request.phone)
    if request.due_at:
        row(_("Délai de traitement visé"), timezone.localtime(request.due_at).strftime("%d/%m/%Y"))
    if request.fee_cents:
        row(
            _("Frais"),
            euros(request.fee_cents)
            + " — "
            + (_("payés") if request.paid_at else _("en attente de paiement")),
        )
    pdf.ln(3)
    pdf.set_font(family, "B", 13)
    pdf.cell(0, 9, text(_("Vos réponses")), new_x="LMARGIN", new_y="NEXT")
    for label, value in answers_summary(request):
        row(label, value)
    attachments = [a for a in request.attachments.all() if not a.uploaded_by_agent]
    if attachments:
        pdf.ln(3)
        pdf.set_font(family, "B", 13)
        pdf.cell(0, 9, text(_("Pièces jointes")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        for attachment in attachments:
            pdf.multi_cell(
                0,
                6,
                text(
                    _("• %(name)s (%(size)s Ko)")
                    % {"name": attachment.original_name, "size": attachment.size // 1024 or 1}
                ),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(6)
    pdf.set_font(family, "", 9)
    pdf.multi_cell(
        0,
        5,
        text(
            _(
                "Ce récépissé atteste le dépôt de votre demande. Suivez-la en ligne avec son "
                "numéro ; vous serez prévenu par e-mail de chaque étape."
            )
        ),
    )
    return bytes(pdf.output())
