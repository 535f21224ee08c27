"""Checking and storing the files residents (and agents) attach to procedures.

A file is judged by its CONTENT, never by its name or the type the browser announces:

* PDF: starts with ``%PDF-`` and contains ``%%EOF``; refused when it carries active content
  (``/JavaScript``, ``/JS``, ``/Launch``, also when hex-escaped in the name). Compressed
  object streams are not inflated: a script hidden inside one is not seen (the file is
  still only served as a download, with ``Content-Disposition: attachment``).
* images: opened and verified by Pillow, JPEG, PNG or WebP only, at most
  :data:`MAX_IMAGE_PIXELS` pixels (decompression bombs refused before decoding);
* everything else is refused, SVG with its own message (an SVG can carry script).

The size is checked against the field's limit before the file is read, and an empty file
is refused. Files are stored on the private storage under a random name; the original
name is kept, sanitised, in ``Attachment.original_name``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable

from django.core.files.base import File
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .exceptions import UploadRefused
from .models import Attachment

MAX_IMAGE_PIXELS = 50_000_000  # a 48 Mpx phone photo passes; a decompression bomb does not
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_CONTENT_TYPE = "application/pdf"
_DANGEROUS_PDF_NAMES = {b"/javascript", b"/js", b"/launch"}
_PDF_NAME_RE = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_HEX_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_CHUNK = 64 * 1024


def _accepted_words(accept: Iterable[str]) -> str:
    accept = set(accept)
    if accept == {"pdf"}:
        return _("Seuls les fichiers PDF sont acceptés pour cette pièce.")
    if accept == {"image"}:
        return _("Seules les photos (JPEG, PNG ou WebP) sont acceptées pour cette pièce.")
    return _("Envoyez un fichier PDF ou une photo (JPEG, PNG ou WebP).")


def _read_all(uploaded_file, limit: int) -> bytes:
    """The whole file (at most ``limit`` bytes, else UploadRefused), from its start."""
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    buffer = io.BytesIO()
    chunks = (
        uploaded_file.chunks(_CHUNK)
        if hasattr(uploaded_file, "chunks")
        else iter(lambda: uploaded_file.read(_CHUNK), b"")
    )
    for chunk in chunks:
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise UploadRefused(_too_large(limit))
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    return buffer.getvalue()


def _too_large(limit: int) -> str:
    return _("Le fichier dépasse la taille maximum de %(size)s Mo.") % {
        "size": limit // (1024 * 1024)
    }


def _pdf_names(content: bytes) -> set[bytes]:
    names = set()
    for match in _PDF_NAME_RE.finditer(content):
        name = _HEX_ESCAPE_RE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(0))
        names.add(name.lower())
    return names


def _check_pdf(content: bytes) -> str:
    if b"%%EOF" not in content:
        raise UploadRefused(_("Ce fichier PDF est incomplet ou abîmé."))
    if _pdf_names(content) & _DANGEROUS_PDF_NAMES:
        raise UploadRefused(
            _(
                "PDF contenant du code : il ne peut pas être accepté. Enregistrez-le à nouveau "
                "(« Imprimer en PDF ») puis envoyez la copie."
            )
        )
    return PDF_CONTENT_TYPE


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and b"<svg" in head.lower()


def _check_image(content: bytes) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                image_format = image.format
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(
                        _("Cette image est trop grande (%(mpx)s millions de pixels au plus).")
                        % {"mpx": MAX_IMAGE_PIXELS // 1_000_000}
                    )
                if image_format not in IMAGE_FORMATS:
                    raise UploadRefused(
                        _("Format d'image non accepté : envoyez une photo JPEG, PNG ou WebP.")
                    )
                image.verify()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(
            _("Cette image est trop grande (%(mpx)s millions de pixels au plus).")
            % {"mpx": MAX_IMAGE_PIXELS // 1_000_000}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return ""
    return IMAGE_FORMATS[image_format]


def check_upload(uploaded_file, *, accept: Iterable[str], max_size_mb: int) -> tuple[str, str]:
    """``(content_type, sha256)`` of an acceptable file; raises :class:`UploadRefused`
    with a French message saying why not. ``accept`` holds ``"pdf"`` and/or ``"image"``."""
    accept = set(accept or ())
    limit = int(max_size_mb) * 1024 * 1024
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise UploadRefused(_too_large(limit))
    if size == 0:
        raise UploadRefused(_("Le fichier est vide."))
    content = _read_all(uploaded_file, limit)
    if not content:
        raise UploadRefused(_("Le fichier est vide."))
    head = content[:2048]
    if content.startswith(b"%PDF-"):
        if "pdf" not in accept:
            raise UploadRefused(_accepted_words(accept))
        content_type = _check_pdf(content)
    elif _looks_like_svg(head):
        raise UploadRefused(_("Les images SVG ne sont pas acceptées."))
    else:
        content_type = _check_image(content)
        if not content_type:
            raise UploadRefused(
                _("Ce fichier n'est ni un PDF ni une photo lisible. %(what)s")
                % {"what": _accepted_words(accept)}
            )
        if "image" not in accept:
            raise UploadRefused(_accepted_words(accept))
    return content_type, hashlib.sha256(content).hexdigest()


_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def sanitise_filename(name: str, *, default: str = "fichier") -> str:
    """A displayable file name: no path, no control or reserved characters, NFC, at most
    150 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip(" ._")
    if not name:
        return default
    stem, ext = os.path.splitext(name)
    ext = ext[:10]
    return (stem[: 150 - len(ext)] + ext) or default


def attachment_store(
    *,
    uploaded_file,
    content_type: str,
    sha256: str,
    field_key: str = "",
    draft=None,
    request=None,
    user=None,
    by_agent: bool = False,
) -> Attachment:
    """Store an already CHECKED file (:func:`check_upload`) on the private storage under a
    random name and return its row. The caller holds the transaction."""
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    attachment = Attachment(
        request=request,
        draft=draft,
        field_key=field_key,
        original_name=sanitise_filename(getattr(uploaded_file, "name", "")),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=sha256,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        uploaded_by_agent=by_agent,
    )
    attachment.file.save("upload", File(uploaded_file), save=False)
    attachment.save()
    return attachment


def attachment_from_upload(
    uploaded_file, *, accept: Iterable[str] = ("pdf", "image"), max_size_mb: int = 10, **kwargs
) -> Attachment:
    """Check then store (keyword arguments of :func:`attachment_store`). Raises
    :class:`UploadRefused`."""
    content_type, sha256 = check_upload(uploaded_file, accept=accept, max_size_mb=max_size_mb)
    return attachment_store(
        uploaded_file=uploaded_file, content_type=content_type, sha256=sha256, **kwargs
    )
