"""Texts of the Gréasque demo site, as plain data.

Blocks are ``(block_type, value)`` pairs built with the helpers below. References to
things the loader creates are strings resolved when the page is written:
``"img:KEY"`` (an image of ``site.IMAGES``), ``"doc:KEY"`` (a document), ``"page:SLUG"``
(a page). In rich text, ``<a href="page:SLUG">`` and ``<a href="doc:KEY">`` become
Wagtail internal links.

People named here are fictional; facts about the commune and its mining heritage are
general and public.
"""

from __future__ import annotations


def paragraph(html: str) -> tuple[str, str]:
    return ("paragraph", html)


def heading(text: str) -> tuple[str, str]:
    return ("heading", text)


def image(key: str, alt: str = "", caption: str = "") -> tuple[str, dict]:
    return ("image", {"image": f"img:{key}", "alt_text": alt, "caption": caption})


def document(key: str, title: str = "") -> tuple[str, dict]:
    return ("document", {"document": f"doc:{key}", "title": title})


def call_to_action(
    title: str, button: str, *, text: str = "", page: str = "", url: str = ""
) -> tuple[str, dict]:
    return (
        "call_to_action",
        {
            "title": title,
            "text": text,
            "button_label": button,
            "page": f"page:{page}" if page else None,
            "url": url,
        },
    )


def faq(title: str, items: list[tuple[str, str]]) -> tuple[str, dict]:
    return (
        "faq",
        {"title": title, "items": [{"question": q, "answer": a} for q, a in items]},
    )


def table(caption: str, rows: list[list[str]], *, first_col_is_header: bool = False):
    return (
        "table",
        {
            "data": rows,
            "first_row_is_table_header": True,
            "first_col_is_header": first_col_is_header,
            "table_caption": caption,
        },
    )


def quote(text: str, author: str = "") -> tuple[str, dict]:
    return ("quote", {"quote": text, "author": author})
