"""Demo data of the payments app: the « Régie périscolaire » (development simulator) and a
few invoices for the demo resident. Idempotent: looked up by régie code and invoice number,
created only when missing; dates computed from ``today`` (the demo's anchor)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model

DEMO_RESIDENT = "camille.martin@example.org"

INVOICES = [
    # number, service, label, amount in cents, due date in days from today
    ("RP2026C0142", "canteen", "Restauration scolaire – mois écoulé", 4280, 12),
    ("RP2026P0142", "after_school", "Accueil périscolaire – mois écoulé", 1860, 12),
    ("RP2026T0031", "transport", "Transport scolaire – trimestre", 3550, 4),
    ("RP2025C0988", "canteen", "Restauration scolaire – facture ancienne", 2140, -75),
]


def load_payments_demo(*, today: dt.date) -> Counter:
    from .models import Invoice, Regie

    created: Counter[str] = Counter()
    regie, was_created = Regie.objects.get_or_create(
        code="periscolaire",
        defaults={
            "name": "Régie périscolaire",
            "backend": Regie.BACKEND_DUMMY,
            "object_label": "Periscolaire",
            "accountant_contact": (
                "Service de gestion comptable d'Aubagne – 01 99 00 00 42 – sgc.exemple@example.org"
            ),
        },
    )
    created["régies"] += int(was_created)
    resident = get_user_model().objects.filter(email__iexact=DEMO_RESIDENT).first()
    for number, service, label, amount, due_in in INVOICES:
        _invoice, was_created = Invoice.objects.get_or_create(
            regie=regie,
            number=number,
            defaults={
                "family_reference": "FAM0142",
                "payer_name": "Camille Martin",
                "payer_email": DEMO_RESIDENT,
                "user": resident,
                "service": service,
                "label": label,
                "issued_on": today - dt.timedelta(days=20),
                "due_date": today + dt.timedelta(days=due_in),
                "amount": amount,
            },
        )
        created["factures"] += int(was_created)
    return created
