"""Files given with a procedure are judged by their content, not by their name or the type
the browser announces, and are stored privately under a random name."""

import hashlib
import html
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parvis.procedures.exceptions import UploadRefused
from parvis.procedures.models import Attachment
from parvis.procedures.uploads import (
    attachment_from_upload,
    check_upload,
    sanitise_filename,
)

from .procedures_helpers import (
    field,
    image_bytes,
    jpeg_bytes,
    make_procedure,
    pdf_bytes,
    png_bytes,
    private_media,  # noqa: F401
    prove_email,
    upload,
)

BOTH = ("pdf", "image")


def refusal(uploaded, accept=BOTH, max_size_mb=5) -> str:
    with pytest.raises(UploadRefused) as error:
        check_upload(uploaded, accept=accept, max_size_mb=max_size_mb)
    return str(error.value.message)


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def pdf_with(token: bytes) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
        b"2 0 obj << /S " + token + b" (app.alert('x')) >> endobj\ntrailer << /Root 1 0 R >>\n"
        b"%%EOF\n"
    )


def test_a_pdf_is_accepted_with_its_digest():
    content = pdf_bytes()
    content_type, digest = check_upload(upload("acte.pdf", content), accept=BOTH, max_size_mb=5)
    assert content_type == "application/pdf"
    assert digest == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("kind", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_photos_are_accepted(kind, content_type):
    photo = upload("photo.bin", image_bytes(kind), "application/octet-stream")
    assert check_upload(photo, accept=BOTH, max_size_mb=5)[0] == content_type


@pytest.mark.parametrize(
    ("content", "name", "announced"),
    [
        (EXE, "facture.pdf", "application/pdf"),
        (HTML_PAGE, "attestation.pdf", "application/pdf"),
        (HTML_PAGE, "photo.jpg", "image/jpeg"),
        (b"PK\x03\x04 zip archive", "scan.pdf", "application/pdf"),
    ],
)
def test_a_wrong_type_behind_a_good_extension_is_refused(content, name, announced):
    message = refusal(upload(name, content, announced))
    assert "Ce fichier n'est ni un PDF ni une photo lisible" in message


def test_a_png_named_pdf_is_judged_a_png():
    disguised = upload("justificatif.pdf", png_bytes(), "application/pdf")
    assert check_upload(disguised, accept=BOTH, max_size_mb=5)[0] == "image/png"
    only_pdf = upload("justificatif.pdf", png_bytes(), "application/pdf")
    assert (
        refusal(only_pdf, accept=("pdf",))
        == "Seuls les fichiers PDF sont acceptés pour cette pièce."
    )


def test_a_pdf_named_jpg_is_judged_a_pdf():
    disguised = upload("photo.jpg", pdf_bytes(), "image/jpeg")
    assert check_upload(disguised, accept=BOTH, max_size_mb=5)[0] == "application/pdf"
    assert "Seules les photos" in refusal(
        upload("photo.jpg", pdf_bytes(), "image/jpeg"), accept=("image",)
    )


class Unreadable(io.BytesIO):
    """A file that must not be read: its declared size is enough to refuse it."""

    def __init__(self, size):
        super().__init__(b"")
        self.size = size
        self.name = "enorme.pdf"

    def read(self, *args):
        raise AssertionError("read although too large")

    def chunks(self, *args):
        raise AssertionError("read although too large")


def test_a_too_large_file_is_refused_before_it_is_read():
    assert refusal(Unreadable(6 * 1024 * 1024), max_size_mb=5) == (
        "Le fichier dépasse la taille maximum de 5 Mo."
    )


def test_a_file_larger_than_it_claims_is_refused_while_reading():
    content = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF"
    liar = SimpleUploadedFile("petit.pdf", content, "application/pdf")
    liar.size = 1000
    assert "taille maximum de 1 Mo" in refusal(liar, max_size_mb=1)


def test_an_empty_file_is_refused():
    assert refusal(upload("vide.pdf", b"")) == "Le fichier est vide."


@pytest.mark.parametrize("name", ["dessin.svg", "photo.png"])
def test_an_svg_is_refused_with_its_own_message(name):
    assert refusal(upload(name, SVG_WITH_SCRIPT, "image/svg+xml")) == (
        "Les images SVG ne sont pas acceptées."
    )


@pytest.mark.parametrize("token", [b"/JavaScript", b"/JS", b"/Launch", b"/J#61vaScript"])
def test_a_pdf_with_code_is_refused(token):
    assert "PDF contenant du code" in refusal(upload("formulaire.pdf", pdf_with(token)))


def test_a_harmless_pdf_action_is_accepted():
    content = pdf_with(b"/URI")
    assert check_upload(upload("lien.pdf", content), accept=BOTH, max_size_mb=5)[0] == (
        "application/pdf"
    )


def test_a_truncated_pdf_is_refused():
    assert "incomplet" in refusal(upload("coupe.pdf", pdf_bytes()[:-40].replace(b"%%EOF", b"")))


def test_a_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 Mpx in a few kilobytes
    assert len(buffer.getvalue()) < 100_000
    message = refusal(upload("bombe.png", buffer.getvalue(), "image/png"))
    assert "trop grande" in message


def test_other_image_formats_are_refused():
    gif = image_bytes("GIF")
    assert "JPEG, PNG ou WebP" in refusal(upload("anim.gif", gif, "image/gif"))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\camille\\Documents\\acte.pdf", "acte.pdf"),
        ("facture\x00.pdf", "facture_.pdf"),
        ('a<b>:"c|d?.pdf', "a_b_c_d_.pdf"),
        ("   ", "fichier"),
        ("é" * 300 + ".pdf", "é" * 146 + ".pdf"),
    ],
)
def test_original_names_are_sanitised(raw, clean):
    assert sanitise_filename(raw) == clean


@pytest.mark.django_db
@pytest.mark.usefixtures("private_media")
def test_a_stored_file_is_private_and_randomly_named(settings):
    folder = settings.PARVIS_PRIVATE_MEDIA_ROOT
    attachment = attachment_from_upload(
        upload("../acte de naissance.pdf"), accept=BOTH, max_size_mb=5, field_key="piece"
    )

    path = Path(attachment.file.path)
    assert path.is_file() and path.read_bytes().startswith(b"%PDF-")
    assert str(path).startswith(str(folder))
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert "acte" not in path.name and "naissance" not in path.name
    assert attachment.original_name == "acte de naissance.pdf"
    assert attachment.content_type == "application/pdf"


@pytest.mark.django_db
@pytest.mark.usefixtures("private_media")
def test_the_form_page_says_why_a_file_is_refused(client, settings):
    folder = Path(settings.PARVIS_PRIVATE_MEDIA_ROOT)
    procedure = make_procedure([field("file", "piece", "Justificatif", accept=["pdf"])])
    prove_email(client)
    cases = [
        (
            upload("dessin.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
            "Les images SVG ne sont pas acceptées.",
        ),
        (
            upload("photo.pdf", jpeg_bytes(), "application/pdf"),
            "Seuls les fichiers PDF sont acceptés",
        ),
        (
            upload("gros.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)),
            "Le fichier dépasse la taille maximum de 10 Mo.",
        ),
    ]
    for uploaded, message in cases:
        response = client.post(f"/demarches/{procedure.slug}/formulaire/1/", {"piece": uploaded})
        page = html.unescape(response.content.decode())
        assert response.status_code == 200
        assert f"{uploaded.name} : {message}" in page
    assert not Attachment.objects.exists()
    stored = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    assert stored == []
