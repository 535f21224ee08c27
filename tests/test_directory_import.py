"""Import and export of the directory (CSV and XLSX): validation report, all-or-nothing,
skip bad rows, idempotent re-import, broken files, round-trip, admin flow."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from parvis.core.models import AuditLogEntry
from parvis.directory.exceptions import ImportFileError, ImportRejected
from parvis.directory.models import Category, Place
from parvis.directory.services import imports
from parvis.directory.services.places import place_create

from . import factories
from .conftest import verified_login

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/annuaire/importer/"
HEADER = [
    "reference",
    "name",
    "kind",
    "categories",
    "street",
    "postcode",
    "city",
    "phone",
    "siret",
    "rna",
    "opening_hours",
    "status",
]
GOOD = [
    [
        "EQ-001",
        "Médiathèque",
        "facility",
        "culture",
        "cours Ferrer",
        "13850",
        "Gréasque",
        "01 99 00 10 10",
        "",
        "",
        "Tu-Sa 09:00-12:00",
        "published",
    ],
    [
        "AS-001",
        "Club de tennis",
        "association",
        "sport|Tennis",
        "route de Fuveau",
        "13850",
        "Gréasque",
        "06 39 98 10 10",
        "",
        "W131001234",
        "",
        "published",
    ],
    [
        "CO-001",
        "Boulangerie du Puits",
        "business",
        "",
        "place Félix Gouin",
        "13850",
        "Gréasque",
        "",
        "12345678901234",
        "",
        "Tu-Su 07:00-12:30",
        "draft",
    ],
]


def csv_bytes(rows, *, delimiter=";", bom=True, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    text = buffer.getvalue()
    return (("\ufeff" if bom else "") + text).encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(content, *, actor=None, filename="annuaire.csv", skip=False):
    table = imports.import_read(content=content, filename=filename)
    report = imports.import_validate(table=table)
    return imports.import_apply(actor=actor, report=report, skip_invalid=skip)


def validate(content, filename="annuaire.csv"):
    return imports.import_validate(table=imports.import_read(content=content, filename=filename))


@pytest.fixture
def categories(db):
    sport = Category.objects.create(name="Sport", slug="sport")
    Category.objects.create(name="Tennis", slug="tennis", parent=sport)
    Category.objects.create(name="Culture", slug="culture")


@pytest.fixture
def import_dir(settings, tmp_path):
    settings.PARVIS_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


# --- validation and all-or-nothing ---------------------------------------------------------
def test_one_bad_row_imports_nothing_and_reports_row_and_column(categories):
    bad = list(GOOD[1])
    bad[5] = "138"  # postcode
    content = csv_bytes([HEADER, GOOD[0], bad, GOOD[2]])
    report = validate(content)
    assert report.errors == [(3, "postcode", "Un code postal a 5 chiffres.")]
    with pytest.raises(ImportRejected):
        imports.import_apply(actor=None, report=report, skip_invalid=False)
    assert not Place.objects.exists()
    assert not AuditLogEntry.objects.filter(action="directory.import").exists()


def test_skip_bad_rows_imports_the_good_ones(categories, communication):
    bad = list(GOOD[1])
    bad[10] = "tous les jours"  # opening_hours
    result = run_import(csv_bytes([HEADER, GOOD[0], bad, GOOD[2]]), actor=communication, skip=True)
    assert (result.created, result.updated, result.skipped) == (2, 0, 1)
    assert result.summary() == "2 créé(s), 0 mis à jour, 0 inchangé(s), 1 ignoré(s)."
    assert sorted(Place.objects.values_list("reference", flat=True)) == ["CO-001", "EQ-001"]
    entry = AuditLogEntry.objects.get(action="directory.import")
    assert entry.actor == communication
    assert entry.data["created"] == 2 and entry.data["skipped"] == 1


def test_reimport_updates_without_duplicates(categories):
    content = csv_bytes([HEADER, *GOOD])
    first = run_import(content)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    club = Place.objects.get(reference="AS-001")
    assert sorted(c.slug for c in club.categories.all()) == ["sport", "tennis"]
    assert club.slug == "club-de-tennis"

    again = run_import(content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Place.objects.count() == 3

    changed = [list(row) for row in GOOD]
    changed[0][7] = "01 99 00 20 20"
    changed[1][3] = "sport"
    third = run_import(csv_bytes([HEADER, *changed]))
    assert (third.created, third.updated, third.unchanged) == (0, 2, 1)
    assert Place.objects.get(reference="EQ-001").phone == "01 99 00 20 20"
    assert [c.slug for c in Place.objects.get(reference="AS-001").categories.all()] == ["sport"]


def test_rows_without_reference_match_by_siret_or_rna(categories):
    existing = place_create(
        actor=None,
        data={
            "name": "Ancien nom",
            "kind": "business",
            "siret": "12345678901234",
            "contact_email": "prive@example.org",
        },
    )
    header = ["name", "kind", "siret"]
    result = run_import(
        csv_bytes([header, ["Boulangerie du Puits", "business", "123 456 789 01234"]])
    )
    assert (result.created, result.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.name == "Boulangerie du Puits"
    # Columns absent from the file are left alone (private contact included).
    assert existing.contact_email == "prive@example.org"


def test_rows_without_any_identifier_are_refused():
    report = validate(csv_bytes([["name", "kind"], ["Sans identifiant", "business"]]))
    assert report.errors[0][:2] == (2, "reference")


def test_row_errors_have_clear_messages(categories):
    place_create(
        actor=None, data={"name": "Boulangerie X", "kind": "business", "siret": "11111111111111"}
    )
    rows = [
        HEADER,
        ["A-1", "Un", "garage", "", "", "13850", "", "", "", "", "", ""],
        ["A-2", "Deux", "business", "inconnue", "", "13850", "", "", "", "", "", ""],
        ["A-3", "Trois", "business", "", "", "13850", "", "", "11111111111111", "", "", ""],
        ["A-4", "Quatre", "business", "", "", "13850", "", "", "22222222222222", "", "", ""],
        ["A-5", "Cinq", "business", "", "", "13850", "", "", "22222222222222", "", "", ""],
        ["A-4", "Six", "business", "", "", "13850", "", "", "", "", "", ""],
        ["A-7", "Sept", "business", "", "", "13850", "", "", "", "", "9h-18h", ""],
    ]
    errors = {(row, column): message for row, column, message in validate(csv_bytes(rows)).errors}
    assert errors[(2, "kind")].startswith("Type inconnu : « garage »")
    assert errors[(3, "categories")].startswith("Catégorie inconnue : « inconnue »")
    assert errors[(4, "siret")] == "Le SIRET 11111111111111 est déjà celui de « Boulangerie X »."
    assert errors[(6, "siret")] == "22222222222222 figure déjà à la ligne 5 du fichier."
    assert errors[(7, "reference")] == "A-4 figure déjà à la ligne 5 du fichier."
    assert errors[(8, "opening_hours")].startswith("Horaires illisibles")
    assert "9h-18h" in errors[(8, "opening_hours")]
    assert (5, "siret") not in errors


def test_comma_csv_without_bom_is_read(categories):
    result = run_import(csv_bytes([HEADER, *GOOD], delimiter=",", bom=False))
    assert result.created == 3


def test_xlsx_import_with_numeric_cells(categories):
    rows = [HEADER, *[list(row) for row in GOOD]]
    rows[3][5] = 13850  # numbers as a spreadsheet stores them
    rows[3][8] = 12345678901234
    rows[2][7] = 639981010  # 06 39 98 10 10 typed as a number
    result = run_import(xlsx_bytes(rows), filename="annuaire.xlsx")
    assert result.created == 3
    bakery = Place.objects.get(reference="CO-001")
    assert bakery.postcode == "13850"
    assert bakery.siret == "12345678901234"
    assert Place.objects.get(reference="AS-001").phone == "0639981010"
    assert run_import(xlsx_bytes(rows), filename="annuaire.xlsx").unchanged == 3


def test_validation_queries_do_not_grow_with_rows(categories, django_assert_max_num_queries):
    rows = [HEADER] + [
        [f"R-{i}", f"Lieu {i}", "business", "sport", "", "13850", "", "", "", "", "", ""]
        for i in range(300)
    ]
    content = csv_bytes(rows)
    with django_assert_max_num_queries(12):
        report = validate(content)
    assert report.count("create") == 300


# --- unreadable files --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "ni un CSV ni un classeur XLSX"),
        ("name;kind\nCafé;business\n".encode("latin-1"), "latin.csv", "pas encodé en UTF-8"),
        (b"", "vide.csv", "Le fichier est vide."),
        (b"\xef\xbb\xbf\r\n", "vide.csv", "Le fichier est vide."),
        (b"name;kind\n", "entete.csv", "aucune ligne de données"),
        (b"PK\x03\x04broken", "casse.xlsx", "ni un CSV ni un classeur XLSX"),
        ("nom;type\nCafé;business\n".encode(), "francais.csv", "Colonnes inconnues : nom, type"),
        (b"kind;reference\nbusiness;X\n", "sans-nom.csv", "La colonne « name »"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ancien.xls", "ancien format"),
    ],
)
def test_unreadable_files_are_refused_clearly(content, filename, message):
    with pytest.raises(ImportFileError) as caught:
        imports.import_read(content=content, filename=filename)
    assert message in str(caught.value.message)


def test_too_big_and_too_many_rows():
    with pytest.raises(ImportFileError) as caught:
        imports.import_read(content=b"name\n" + b"x" * (5 * 1024 * 1024), filename="gros.csv")
    assert "dépasse 5 Mo" in str(caught.value.message)
    rows = "name;reference\n" + "".join(f"L{i};R{i}\n" for i in range(20_001))
    with pytest.raises(ImportFileError) as caught:
        imports.import_read(content=rows.encode(), filename="long.csv")
    assert "plus de 20 000 lignes" in str(caught.value.message)


# --- export and round-trip ------------------------------------------------------------------
def make_full_place(categories_):
    place = place_create(
        actor=None,
        data={
            "reference": "EQ-100",
            "name": "Salle des fêtes",
            "kind": "facility",
            "summary": "=SOMME(A1:A2) n'est pas une formule",
            "description": "<p>Grande salle, <b>300 places</b>.</p>",
            "street_number": "1",
            "street": "place Félix Gouin",
            "postcode": "13850",
            "city": "Gréasque",
            "insee_code": "13046",
            "latitude": Decimal("43.433100"),
            "longitude": Decimal("5.544300"),
            "phone": "+33 1 99 00 30 30",
            "email": "salle@example.org",
            "website": "https://example.org/salle",
            "wheelchair": "limited",
            "siret": "21130046000019",
            "opening_hours": "Mo-Fr 08:30-12:00,13:30-17:00; PH off",
            "hours_note": "Sur réservation",
            "equipment_theme": "Equipement culturel",
            "equipment_code": "01010401-001",
            "erp_type": "L",
            "erp_category": 3,
            "status": "published",
            "last_verified": dt.date(2026, 3, 1),
            "contact_name": "Dominique Exemple",
            "contact_email": "dominique@example.org",
            "contact_phone": "06 39 98 00 02",
            "categories": list(Category.objects.filter(slug__in=["culture", "sport"])),
        },
    )
    return place


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(categories, communication, client, kind):
    place = make_full_place(categories)
    place_create(actor=None, data={"name": "Club", "kind": "association", "rna": "W131009999"})
    verified_login(client, communication)
    response = client.get("/admin/annuaire/exporter/", {"format": kind})
    assert response.status_code == 200
    assert f".{kind}" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    before = {p.pk: (p.updated_at, p.name) for p in Place.objects.all()}

    result = run_import(content, filename=f"export.{kind}")
    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 2, 0)
    assert {p.pk: (p.updated_at, p.name) for p in Place.objects.all()} == before
    place.refresh_from_db()
    assert place.summary == "=SOMME(A1:A2) n'est pas une formule"
    assert place.phone == "+33 1 99 00 30 30"


def test_export_has_no_private_contact_and_escapes_formulas(categories, communication, client):
    make_full_place(categories)
    verified_login(client, communication)
    content = client.get("/admin/annuaire/exporter/", {"format": "csv"}).content.decode("utf-8")
    assert content.startswith("\ufeffreference;name;kind;categories")
    assert "dominique" not in content.lower()
    assert "06 39 98 00 02" not in content
    assert "'=SOMME(A1:A2)" in content
    assert "culture|sport" in content


def test_export_follows_the_list_filters(categories, communication, client):
    place_create(actor=None, data={"name": "Club", "kind": "association", "rna": "W131009999"})
    place_create(actor=None, data={"name": "Garage", "kind": "business", "reference": "B-1"})
    verified_login(client, communication)
    response = client.get("/admin/annuaire/exporter/", {"format": "xlsx", "kind": "business"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Garage"]


def test_template_has_the_documented_headers(communication, client):
    verified_login(client, communication)
    content = client.get("/admin/annuaire/importer/modele/").content.decode("utf-8-sig")
    header = content.strip().split(";")
    assert header[:4] == ["reference", "name", "kind", "categories"]
    assert "contact_email" in header


# --- admin flow -----------------------------------------------------------------------------
def upload(client, content, name="annuaire.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_admin_report_then_refuse_then_skip(categories, communication, client, import_dir):
    verified_login(client, communication)
    bad = list(GOOD[1])
    bad[2] = "garage"
    response = upload(client, csv_bytes([HEADER, GOOD[0], bad]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>3</td><td>kind</td>" in html
    assert "Type inconnu" in html
    token = response.context["token"]
    assert not Place.objects.exists()

    response = client.post(IMPORT_URL, {"confirm": "1", "token": token}, follow=True)
    assert "rien n&#x27;a été importé" in response.content.decode()
    assert not Place.objects.exists()

    response = client.post(
        IMPORT_URL, {"confirm": "1", "token": token, "skip_invalid": "on"}, follow=True
    )
    assert "Import terminé : 1 créé(s), 0 mis à jour, 0 inchangé(s), 1 ignoré(s)." in (
        response.content.decode()
    )
    assert list(Place.objects.values_list("reference", flat=True)) == ["EQ-001"]
    assert not list(import_dir.glob("*.upload"))


def test_admin_unreadable_file_message_next_to_field(communication, client, import_dir):
    verified_login(client, communication)
    response = upload(client, "name;kind\nCafé;business\n".encode("cp1252"))
    assert response.status_code == 200
    assert "pas encodé en UTF-8" in response.content.decode()
    assert not list(import_dir.glob("*.upload"))


def test_admin_confirm_needs_the_session_upload(categories, communication, client, import_dir):
    verified_login(client, communication)
    token = upload(client, csv_bytes([HEADER, *GOOD])).context["token"]
    other = factories.make_user("autre@example.org", groups=["Communication"])
    from django.test import Client

    intruder = verified_login(Client(), other)
    response = intruder.post(IMPORT_URL, {"confirm": "1", "token": token}, follow=True)
    assert "n&#x27;est plus disponible" in response.content.decode()
    assert not Place.objects.exists()
    # The stored file cannot be swapped behind the session's back.
    stored = next(import_dir.glob("*.upload"))
    stored.write_bytes(csv_bytes([HEADER, GOOD[0]]))
    response = client.post(IMPORT_URL, {"confirm": "1", "token": token}, follow=True)
    assert "n&#x27;est plus disponible" in response.content.decode()
    assert not Place.objects.exists()
