"""Small, valid, text-based PDF files for the demo (acts, convocations, bulletins).

Written by hand with the standard Helvetica fonts (no embedded font, WinAnsi encoding for
French accents), so the text is selectable and indexable and a file weighs a few KB.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import zlib

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 64
BODY_SIZE = 10.5
LEADING = 15
# Average Helvetica advance is about half an em; wrap a little short of the margin.
CHARS_PER_LINE = int((PAGE_WIDTH - 2 * MARGIN) / (BODY_SIZE * 0.52))

_REPLACEMENTS = {"\u202f": " ", "\u00a0": " ", "\u2011": "-", "\u2009": " ", "\u2192": "->"}


def _encode(text: str) -> bytes:
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pdf_string(text: str) -> bytes:
    """A text string for the document information dictionary (UTF-16 with BOM)."""
    data = b"\xfe\xff" + text.encode("utf-16-be")
    return b"<" + data.hex().encode("ascii") + b">"


def _layout(title: str, subtitle: str, paragraphs: list[str]) -> list[list[tuple[str, str]]]:
    """Lines as (style, text), split into pages. Styles: title, subtitle, heading, body."""
    lines: list[tuple[str, str]] = [("title", line) for line in textwrap.wrap(title, 52)]
    lines.extend(("subtitle", line) for line in textwrap.wrap(subtitle, 78))
    lines.append(("gap", ""))
    for paragraph in paragraphs:
        if paragraph.startswith("## "):
            lines.append(("gap", ""))
            lines.extend(("heading", line) for line in textwrap.wrap(paragraph[3:], 70))
            continue
        for line in textwrap.wrap(paragraph, CHARS_PER_LINE) or [""]:
            lines.append(("body", line))
        lines.append(("gap", ""))
    height = {"title": 24, "subtitle": 18, "heading": 20, "body": LEADING, "gap": 7}
    pages, current, used = [], [], 0
    usable = PAGE_HEIGHT - 2 * MARGIN - 30
    for style, text in lines:
        if used + height[style] > usable and current:
            pages.append(current)
            current, used = [], 0
        current.append((style, text))
        used += height[style]
    pages.append(current)
    return pages


def _content_stream(page_lines, page_no, page_count, footer) -> bytes:
    fonts = {
        "title": (b"F2", 17),
        "subtitle": (b"F1", 11),
        "heading": (b"F2", 12.5),
        "body": (b"F1", BODY_SIZE),
    }
    height = {"title": 24, "subtitle": 18, "heading": 20, "body": LEADING, "gap": 7}
    out = [
        b"0.04 0.36 0.55 rg",
        f"{MARGIN} {PAGE_HEIGHT - 40} {PAGE_WIDTH - 2 * MARGIN} 3 re f".encode(),
        b"0 0 0 rg",
    ]
    y = PAGE_HEIGHT - MARGIN - 10
    for style, text in page_lines:
        y -= height[style]
        if style == "gap":
            continue
        font, size = fonts[style]
        colour = b"0.04 0.36 0.55 rg" if style in {"title", "heading"} else b"0.1 0.1 0.1 rg"
        out += [
            colour,
            b"BT",
            b"/" + font + f" {size} Tf".encode(),
            f"{MARGIN} {y:.1f} Td".encode(),
            b"(" + _encode(text) + b") Tj",
            b"ET",
        ]
    foot = f"{footer} — page {page_no}/{page_count}"
    out += [
        b"0.4 0.4 0.4 rg",
        b"BT",
        b"/F1 8 Tf",
        f"{MARGIN} 36 Td".encode(),
        b"(" + _encode(foot) + b") Tj",
        b"ET",
    ]
    return b"\n".join(out)


def pdf_document(
    title: str,
    paragraphs: list[str],
    *,
    subtitle: str = "",
    footer: str = "Commune de Gréasque",
    created: dt.datetime | None = None,
) -> bytes:
    """A PDF with a title, an optional subtitle and paragraphs ("## " starts a heading)."""
    pages = _layout(title, subtitle, paragraphs)
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled once the page tree number is known
    tree = add(b"")
    helvetica = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    helvetica_bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for number, page_lines in enumerate(pages, start=1):
        stream = zlib.compress(_content_stream(page_lines, number, len(pages), footer))
        content = add(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (tree, PAGE_WIDTH, PAGE_HEIGHT, content, helvetica, helvetica_bold)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R /Lang (fr-FR) >>" % tree
    objects[tree - 1] = (
        b"<< /Type /Pages /Count %d /Kids [" % len(kids)
        + b" ".join(b"%d 0 R" % k for k in kids)
        + b"] >>"
    )
    stamp = (created or dt.datetime(2026, 1, 1)).strftime("D:%Y%m%d%H%M%S")
    info = add(
        b"<< /Title "
        + _pdf_string(title)
        + b" /Author "
        + _pdf_string(footer)
        + b" /Producer (Parvis) /CreationDate ("
        + stamp.encode()
        + b") >>"
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(out)
