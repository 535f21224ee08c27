"""Import and export of directory places as CSV or XLSX spreadsheets.

Contract:

- :func:`import_read` turns uploaded bytes into a header and rows, or raises
  :class:`ImportFileError` (unreadable, wrong encoding, empty, too big, too many rows,
  unknown columns): nothing is looked at further.
- :func:`import_validate` checks every row against the rules of a place and against the
  database and the rest of the file, without writing anything; each error names the row
  number as the spreadsheet shows it (the header is row 1) and the column.
- :func:`import_apply` writes the valid rows in one transaction, creating or updating by
  ``reference`` (or SIRET, then RNA, when the row has no reference). Only the columns
  present in the file are changed, so importing a file exported here changes nothing.
  With rows in error it writes nothing unless ``skip_invalid`` is set.
- :func:`export_rows` gives the same columns; private contacts are never exported.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parvis.core.audit import audit_log_record

from ..exceptions import ImportFileError, ImportRejected
from ..models import Category, EquipmentTheme, Place, PlaceKind, PlaceStatus, Wheelchair
from .places import hours_index_refresh_later, identifier_taken_message

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 20_000
CATEGORY_SEPARATOR = "|"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DESCRIPTION_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3"]

#: Columns of the export and of the import template, in order, with their meaning.
COLUMNS: list[tuple[str, str]] = [
    ("reference", gettext_lazy("Identifiant stable de la fiche (EQ-001) ; sert aux mises à jour")),
    ("name", gettext_lazy("Nom (obligatoire)")),
    ("kind", gettext_lazy("Type : facility, service, association, business, health, tourism")),
    ("categories", gettext_lazy("Catégories : identifiants ou noms séparés par |")),
    ("summary", gettext_lazy("Résumé (300 caractères)")),
    ("description", gettext_lazy("Description (HTML simple)")),
    ("street_number", gettext_lazy("Numéro")),
    ("street", gettext_lazy("Voie")),
    ("postcode", gettext_lazy("Code postal (5 chiffres)")),
    ("city", gettext_lazy("Commune")),
    ("insee_code", gettext_lazy("Code INSEE")),
    ("latitude", gettext_lazy("Latitude (WGS84, point décimal)")),
    ("longitude", gettext_lazy("Longitude (WGS84, point décimal)")),
    ("phone", gettext_lazy("Téléphone public")),
    ("email", gettext_lazy("E-mail public")),
    ("website", gettext_lazy("Site web")),
    ("wheelchair", gettext_lazy("Fauteuil roulant : yes, limited, no ou vide")),
    ("accessibility_notes", gettext_lazy("Informations d'accessibilité")),
    ("siret", gettext_lazy("SIRET (14 chiffres)")),
    ("rna", gettext_lazy("Numéro RNA (W suivi de 9 caractères)")),
    ("opening_hours", gettext_lazy("Horaires, syntaxe OpenStreetMap")),
    ("hours_note", gettext_lazy("Précision sur les horaires")),
    ("equipment_theme", gettext_lazy("Thème d'équipement SCDL")),
    ("equipment_code", gettext_lazy("Code d'équipement SCDL")),
    ("equipment_type", gettext_lazy("Type d'équipement SCDL")),
    ("erp_type", gettext_lazy("Type d'ERP")),
    ("erp_category", gettext_lazy("Catégorie d'ERP (1 à 5)")),
    ("status", gettext_lazy("État : draft, published, archived")),
    ("last_verified", gettext_lazy("Vérifié le (AAAA-MM-JJ)")),
]
#: Accepted on import (data entry by the town hall), never exported.
IMPORT_ONLY_COLUMNS: list[tuple[str, str]] = [
    ("contact_name", gettext_lazy("Contact privé : nom")),
    ("contact_email", gettext_lazy("Contact privé : e-mail")),
    ("contact_phone", gettext_lazy("Contact privé : téléphone")),
]
EXPORT_COLUMNS = [name for name, _help in COLUMNS]
IMPORT_COLUMNS = EXPORT_COLUMNS + [name for name, _help in IMPORT_ONLY_COLUMNS]
IDENTIFIERS = ("reference", "siret", "rna")


# --- reading ---------------------------------------------------------------------------
@dataclass
class Table:
    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


class NumericText(str):
    """Text of a spreadsheet cell that held a number (a postcode 01000 became 1000)."""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return NumericText(int(value))
    if isinstance(value, int | float):
        return NumericText(value)
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken archive
        raise ImportFileError(
            _("Le classeur XLSX est illisible ou protégé par un mot de passe.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            _(
                "Ce fichier n'est ni un CSV ni un classeur XLSX. Enregistrez-le depuis votre "
                "tableur."
            )
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "Le fichier n'est pas encodé en UTF-8. Dans votre tableur, choisissez "
                "« Enregistrer sous » puis « CSV UTF-8 »."
            )
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(_("Le fichier CSV est mal formé : %s.") % exc) from exc


def import_read(*, content: bytes, filename: str = "") -> Table:
    """The header and rows of an uploaded CSV (UTF-8, with or without BOM, ``;`` or ``,``)
    or XLSX (first sheet) file. Raises :class:`ImportFileError` with a French message."""
    if len(content) > MAX_FILE_SIZE:
        raise ImportFileError(_("Le fichier dépasse 5 Mo. Découpez-le en plusieurs fichiers."))
    if not content.strip(b"\xef\xbb\xbf \r\n\t;,"):
        raise ImportFileError(_("Le fichier est vide."))
    lower = filename.lower()
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                is_xlsx = "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile:
            is_xlsx = False
        if not is_xlsx:
            raise ImportFileError(
                _(
                    "Ce fichier n'est ni un CSV ni un classeur XLSX (un fichier ODS ? "
                    "Enregistrez-le au format XLSX ou CSV)."
                )
            )
        raw_rows = _read_xlsx(content)
    elif content[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportFileError(
            _("Les classeurs .xls (ancien format) ne sont pas lus : enregistrez-le en XLSX ou CSV.")
        )
    elif lower.endswith(".xlsx"):
        raise ImportFileError(_("Le classeur XLSX est illisible : le fichier est abîmé."))
    else:
        raw_rows = _read_csv(content)

    # Drop trailing empty cells and find the header (the first row).
    rows = [(number, cells) for number, cells in enumerate(raw_rows, start=1)]
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise ImportFileError(
            _("La première ligne doit donner les noms des colonnes (voir le modèle).")
        )
    headers = [cell.strip().lower().lstrip("\ufeff") for cell in rows[0][1]]
    while headers and not headers[-1]:
        headers.pop()
    unknown = [header for header in headers if header not in IMPORT_COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Colonnes inconnues : %(columns)s. Colonnes possibles : %(known)s.")
            % {"columns": ", ".join(unknown or ["(vide)"]), "known": ", ".join(IMPORT_COLUMNS)}
        )
    duplicates = sorted({header for header in headers if headers.count(header) > 1})
    if duplicates:
        raise ImportFileError(_("Colonnes en double : %s.") % ", ".join(duplicates))
    if "name" not in headers:
        raise ImportFileError(_("La colonne « name » (nom de la fiche) est obligatoire."))
    data_rows = [
        (number, [cell if isinstance(cell, NumericText) else cell.strip() for cell in cells])
        for number, cells in rows[1:]
        if any(str(cell).strip() for cell in cells)
    ]
    if not data_rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne de données."))
    if len(data_rows) > MAX_ROWS:
        raise ImportFileError(
            _("Le fichier a plus de %(max)s lignes : découpez-le en plusieurs fichiers.")
            % {"max": f"{MAX_ROWS:,}".replace(",", " ")}
        )
    return Table(filename=filename, headers=headers, rows=data_rows)


# --- validation ------------------------------------------------------------------------
@dataclass
class ImportRow:
    number: int
    place: Place
    action: str = "create"  # create | update | unchanged | invalid
    categories: list[Category] | None = None
    changed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    filename: str
    headers: list[str]
    rows: list[ImportRow]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [
            (row.number, column, message) for row in self.rows for column, message in row.errors
        ]

    @property
    def invalid_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int

    def summary(self) -> str:
        return _(
            "%(created)s créé(s), %(updated)s mis à jour, %(unchanged)s inchangé(s), "
            "%(skipped)s ignoré(s)."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def _key(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    value = "".join(char for char in value if not unicodedata.combining(char))
    return " ".join(value.casefold().split())


def _choices_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_key(str(value))] = value
        lookup[_key(str(label))] = value
    for alias, value in (extra or {}).items():
        lookup[_key(alias)] = value
    return lookup


def _description_clean(html: str) -> str:
    if not html:
        return ""
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    return EditorHTMLConverter(features=DESCRIPTION_FEATURES).to_database_format(html)


class _Validator:
    """Validates the rows of one table; holds the lookups built once (a few queries)."""

    def __init__(self, table: Table):
        self.table = table
        self.headers = table.headers
        places = list(Place.objects.all())
        self.by_identifier = {
            name: {getattr(place, name): place for place in places if getattr(place, name)}
            for name in IDENTIFIERS
        }
        self.current_categories = {}
        if "categories" in self.headers:
            for place_id, category_id in Place.categories.through.objects.values_list(
                "place_id", "category_id"
            ):
                self.current_categories.setdefault(place_id, set()).add(category_id)
        categories = list(Category.objects.select_related("parent"))
        self.categories_by_slug = {category.slug: category for category in categories}
        self.categories_by_name: dict[str, list[Category]] = {}
        for category in categories:
            for name in {category.name, category.full_name}:
                self.categories_by_name.setdefault(_key(name), []).append(category)
        self.kinds = _choices_lookup(PlaceKind.choices)
        self.wheelchair = _choices_lookup(
            Wheelchair.choices,
            {"oui": "yes", "non": "no", "partiel": "limited", "limité": "limited"},
        )
        self.statuses = _choices_lookup(
            PlaceStatus.choices, {"publiée": "published", "archivée": "archived"}
        )
        self.themes = _choices_lookup(EquipmentTheme.choices)
        self.seen: dict[str, dict[str, int]] = {name: {} for name in IDENTIFIERS}
        self.slugs_taken: set[str] = {place.slug for place in places}

    # One converter per column: raw text -> model value, or raise ValueError(message).
    def convert(self, column: str, raw: str, place: Place):
        if column == "kind":
            if not raw:
                raise ValueError(_("Le type est obligatoire."))
            if _key(raw) not in self.kinds:
                raise ValueError(
                    _("Type inconnu : « %(value)s ». Types possibles : %(choices)s.")
                    % {"value": raw, "choices": ", ".join(PlaceKind.values)}
                )
            return self.kinds[_key(raw)]
        if column == "wheelchair":
            if _key(raw) not in self.wheelchair:
                raise ValueError(
                    _("Valeur inconnue : « %s ». Valeurs possibles : yes, limited, no ou vide.")
                    % raw
                )
            return self.wheelchair[_key(raw)]
        if column == "status":
            if not raw:
                return place.status or PlaceStatus.DRAFT
            if _key(raw) not in self.statuses:
                raise ValueError(
                    _("État inconnu : « %s ». États possibles : draft, published, archived.") % raw
                )
            return self.statuses[_key(raw)]
        if column == "equipment_theme":
            if not raw:
                return ""
            if _key(raw) not in self.themes:
                raise ValueError(_("Thème d'équipement SCDL inconnu : « %s ».") % raw)
            return self.themes[_key(raw)]
        if column in ("latitude", "longitude"):
            if not raw:
                return None
            try:
                value = Decimal(raw.replace(",", ".").replace(" ", ""))
            except InvalidOperation as exc:
                raise ValueError(_("Nombre décimal attendu, par exemple 43.4331.")) from exc
            if not value.is_finite():
                raise ValueError(_("Nombre décimal attendu, par exemple 43.4331."))
            return value.quantize(Decimal("0.000001"))
        if column == "erp_category":
            if not raw:
                return None
            if not raw.isdigit():
                raise ValueError(_("Un chiffre de 1 à 5 est attendu."))
            return int(raw)
        if column == "last_verified":
            if not raw:
                return None
            for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    return dt.datetime.strptime(raw, pattern).date()
                except ValueError:
                    continue
            raise ValueError(_("Date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA."))
        if column in IDENTIFIERS:
            if column == "siret":
                return raw.replace(" ", "") or None
            return (raw.upper() if column == "rna" else raw) or None
        if isinstance(raw, NumericText) and raw.isdigit():
            # A spreadsheet drops the leading zero of numbers: put it back where it matters.
            if column in ("postcode", "insee_code") and len(raw) < 5:
                return raw.zfill(5)
            if column in ("phone", "contact_phone") and len(raw) == 9:
                return "0" + raw
        if column == "description":
            return _description_clean(raw)
        return raw

    def unique_slug(self, name: str) -> str:
        max_length = Place._meta.get_field("slug").max_length
        base = (slugify(name) or "lieu")[: max_length - 6].strip("-") or "lieu"
        candidate, counter = base, 2
        while candidate in self.slugs_taken:
            candidate = f"{base}-{counter}"
            counter += 1
        return candidate

    def categories_for(self, raw: str) -> list[Category]:
        found, unknown = [], []
        for token in (part.strip() for part in raw.split(CATEGORY_SEPARATOR)):
            if not token:
                continue
            category = self.categories_by_slug.get(token)
            if category is None:
                matches = self.categories_by_name.get(_key(token), [])
                if len(matches) > 1:
                    raise ValueError(
                        _("La catégorie « %s » est ambiguë : utilisez son identifiant.") % token
                    )
                category = matches[0] if matches else None
            if category is None:
                unknown.append(token)
            elif category not in found:
                found.append(category)
        if unknown:
            raise ValueError(
                _("Catégorie inconnue : %s. Créez-la d'abord dans l'annuaire.")
                % ", ".join(f"« {token} »" for token in unknown)
            )
        return found

    def row(self, number: int, cells: list[str]) -> ImportRow:
        values = {}
        for index, header in enumerate(self.headers):
            raw = cells[index] if index < len(cells) else ""
            if len(raw) > 1 and raw[0] == "'" and raw[1] in FORMULA_PREFIXES:
                raw = raw[1:]
            values[header] = raw
        errors: list[tuple[str, str]] = []

        # Which place this row is about.
        existing = None
        identifiers = {
            name: self.convert(name, values.get(name, ""), Place()) for name in IDENTIFIERS
        }
        if identifiers["reference"]:
            existing = self.by_identifier["reference"].get(identifiers["reference"])
        elif identifiers["siret"]:
            existing = self.by_identifier["siret"].get(identifiers["siret"])
        elif identifiers["rna"]:
            existing = self.by_identifier["rna"].get(identifiers["rna"])
        if not any(identifiers.values()):
            errors.append(
                (
                    "reference",
                    _(
                        "Indiquez un identifiant (reference), un SIRET ou un RNA : sans eux, "
                        "un nouvel import créerait la fiche une deuxième fois."
                    ),
                )
            )
        for name, value in identifiers.items():
            if not value:
                continue
            if value in self.seen[name]:
                errors.append(
                    (
                        name,
                        _("%(value)s figure déjà à la ligne %(row)s du fichier.")
                        % {"value": value, "row": self.seen[name][value]},
                    )
                )
            else:
                self.seen[name][value] = number
            other = self.by_identifier[name].get(value)
            if other is not None and (existing is None or other.pk != existing.pk):
                errors.append((name, identifier_taken_message(name, value, other)))

        if existing is not None:
            place = copy.copy(existing)
        else:
            place = Place(status=PlaceStatus.DRAFT)
        row = ImportRow(number=number, place=place, action="update" if existing else "create")

        for column in self.headers:
            if column == "categories":
                try:
                    row.categories = self.categories_for(values[column])
                except ValueError as exc:
                    errors.append((column, str(exc)))
                continue
            try:
                value = self.convert(column, values[column], place)
            except ValueError as exc:
                errors.append((column, str(exc)))
                continue
            if getattr(place, column) != value:
                setattr(place, column, value)
                row.changed.append(column)
        if existing is None and "kind" not in self.headers:
            errors.append(("kind", _("Le type est obligatoire pour une nouvelle fiche.")))

        failed = {column for column, _message in errors}
        try:
            place.full_clean(
                exclude=["slug", *failed], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                for message in messages:
                    errors.append((column if column in self.headers else "name", message))

        if row.categories is not None:
            before = self.current_categories.get(existing.pk, set()) if existing else set()
            if {category.pk for category in row.categories} != before:
                row.changed.append("categories")
        if existing is None and not errors:
            place.slug = self.unique_slug(place.name)
            self.slugs_taken.add(place.slug)
        row.errors = errors
        if errors:
            row.action = "invalid"
        elif existing is not None and not row.changed:
            row.action = "unchanged"
        return row


def import_validate(*, table: Table) -> ImportReport:
    """Check every row; writes nothing. Queries: a handful, whatever the number of rows."""
    validator = _Validator(table)
    rows = [validator.row(number, cells) for number, cells in table.rows]
    return ImportReport(filename=table.filename, headers=table.headers, rows=rows)


def import_apply(
    *, actor, report: ImportReport, skip_invalid: bool = False, ip: str | None = None
) -> ImportResult:
    """Write the report's valid rows in one transaction; see the module's contract."""
    if report.invalid_count and not skip_invalid:
        raise ImportRejected()
    created = updated = 0
    changed_places = []
    with transaction.atomic():
        for row in report.rows:
            if row.action not in ("create", "update"):
                continue
            place = row.place
            try:
                with transaction.atomic():
                    place.save()
            except IntegrityError as exc:
                raise ImportFileError(
                    _(
                        "La ligne %(row)s n'a pas pu être enregistrée : une autre personne "
                        "modifie l'annuaire en même temps. Recommencez l'import."
                    )
                    % {"row": row.number}
                ) from exc
            if row.categories is not None and "categories" in row.changed:
                place.categories.set(row.categories)
                place.categories.commit()
            changed_places.append(place)
            if row.action == "create":
                created += 1
            else:
                updated += 1
        result = ImportResult(
            created=created,
            updated=updated,
            unchanged=report.count("unchanged"),
            skipped=report.invalid_count,
        )
        audit_log_record(
            actor=actor,
            action="directory.import",
            data={
                "file": report.filename,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            },
            ip=ip,
        )
        hours_index_refresh_later(changed_places)
    return result


# --- export ----------------------------------------------------------------------------
def _formula_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with '."""
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


def export_rows(places) -> list[list[str]]:
    """The header then one row per place, as text, in :data:`EXPORT_COLUMNS` order."""
    places = places.prefetch_related("categories")
    rows = [list(EXPORT_COLUMNS)]
    for place in places:
        row = []
        for column in EXPORT_COLUMNS:
            if column == "categories":
                value = CATEGORY_SEPARATOR.join(
                    sorted(category.slug for category in place.categories.all())
                )
            else:
                value = getattr(place, column)
                if value is None:
                    value = ""
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                else:
                    value = str(value)
            row.append(_formula_safe(value))
        rows.append(row)
    return rows


def export_csv(rows: list[list[str]]) -> bytes:
    """UTF-8 with a BOM (so that spreadsheets detect the encoding), ``;`` separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Annuaire"))[:31])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_template_rows() -> list[list[str]]:
    """The header of every importable column and a line of help under it."""
    columns = COLUMNS + IMPORT_ONLY_COLUMNS
    return [[name for name, _help in columns]]
