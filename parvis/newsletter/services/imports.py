"""Staff import of contacts from CSV, with a recorded legal basis and source.

Contract: the whole file is checked first; when any row is wrong nothing is imported
(unless ``skip_bad_rows``), and the report lists (row, column, message). Imported
subscriptions are ``active`` with the file's legal basis and one IMPORTED ledger row each.
Re-importing the same file changes nothing (idempotent).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record

from ..models import Channel, ConsentAction, ConsentMethod, Contact, Topic
from ..phones import normalise_phone
from .consents import _activate

CONSENT_COLUMN = "consentement"
COLUMNS = ("email", "mobile", "prenom", "nom", "voie", "themes", CONSENT_COLUMN)
YES = {"oui", "o", "yes", "y", "1", "true", "vrai", "x"}
NO = {"non", "n", "no", "0", "false", "faux", ""}


@dataclass
class ImportReport:
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    created: int = 0
    updated: int = 0
    subscriptions: int = 0
    skipped_rows: int = 0
    imported: bool = False


def _read(content: bytes | str) -> list[dict]:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = content.decode("cp1252")
    sample = content[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(content), dialect=dialect)
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
    return list(reader)


def contacts_import(
    *,
    content: bytes | str,
    legal_basis: str,
    source: str,
    channels: list[str],
    actor,
    skip_bad_rows: bool = False,
    ip: str | None = None,
) -> ImportReport:
    """Import a CSV of contacts. See the module docstring for the contract."""
    report = ImportReport()
    if not legal_basis or not source.strip():
        report.errors.append((0, "", _("Indiquez la base légale et l'origine du fichier.")))
        return report
    rows = _read(content)
    fieldnames = set(rows[0].keys()) if rows else set()
    if not rows:
        report.errors.append((0, "", _("Le fichier est vide.")))
        return report
    if CONSENT_COLUMN not in fieldnames:
        report.errors.append(
            (
                1,
                CONSENT_COLUMN,
                _(
                    "La colonne « consentement » est absente : sans preuve du consentement de "
                    "chaque personne, le fichier ne peut pas être importé."
                ),
            )
        )
        return report
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    good = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        row_errors = []
        email = (row.get("email") or "").strip().lower()
        phone_raw = (row.get("mobile") or "").strip()
        phone = ""
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append((number, "email", _("Adresse e-mail invalide : « %s ».") % email))
        if phone_raw:
            try:
                phone = normalise_phone(phone_raw)
            except ValidationError as error:
                row_errors.append((number, "mobile", error.messages[0]))
        if not email and not phone_raw:
            row_errors.append((number, "email", _("Ni e-mail ni mobile sur cette ligne.")))
        consent = (row.get(CONSENT_COLUMN) or "").strip().lower()
        if consent not in YES:
            message = (
                _("Consentement absent : la personne n'a pas donné son accord.")
                if consent in NO
                else _("Valeur « %s » non reconnue : indiquez oui ou non.") % consent
            )
            row_errors.append((number, CONSENT_COLUMN, message))
        row_topics = []
        for slug in [s.strip() for s in (row.get("themes") or "").split("|") if s.strip()]:
            if slug not in topics:
                row_errors.append((number, "themes", _("Thème inconnu : « %s ».") % slug))
            else:
                row_topics.append(topics[slug])
        if not row_topics and not any(col == "themes" for _n, col, _m in row_errors):
            row_errors.append((number, "themes", _("Aucun thème sur cette ligne.")))
        if row_errors:
            report.errors += row_errors
            report.skipped_rows += 1
        else:
            good.append((row, email or None, phone or None, row_topics))
    if report.errors and not skip_bad_rows:
        return report
    with transaction.atomic():
        for row, email, phone, row_topics in good:
            contact = None
            if email:
                contact = Contact.objects.select_for_update().filter(email=email).first()
            if contact is None and phone:
                contact = Contact.objects.select_for_update().filter(phone=phone).first()
            if contact is None:
                contact = Contact.objects.create(
                    email=email,
                    phone=phone,
                    first_name=(row.get("prenom") or "").strip()[:80],
                    last_name=(row.get("nom") or "").strip()[:80],
                    street=(row.get("voie") or "").strip()[:200],
                    source=source[:120],
                )
                report.created += 1
            else:
                updates = []
                if email and not contact.email and not Contact.objects.filter(email=email).exists():
                    contact.email = email
                    updates.append("email")
                if phone and not contact.phone and not Contact.objects.filter(phone=phone).exists():
                    contact.phone = phone
                    updates.append("phone")
                if updates:
                    contact.save(update_fields=[*updates, "updated_at"])
                    report.updated += 1
            for channel in channels:
                if not (contact.email if channel == Channel.EMAIL else contact.phone):
                    continue
                report.subscriptions += _activate(
                    contact,
                    channel=channel,
                    topics=row_topics,
                    method=ConsentMethod.IMPORT,
                    action=ConsentAction.IMPORTED,
                    legal_basis=legal_basis,
                    source=source,
                    ip=ip,
                    actor=actor,
                )
        audit_log_record(
            actor=actor,
            action="newsletter.contacts_imported",
            data={
                "source": source,
                "legal_basis": legal_basis,
                "created": report.created,
                "subscriptions": report.subscriptions,
                "skipped_rows": report.skipped_rows,
            },
            ip=ip,
        )
    report.imported = True
    return report
