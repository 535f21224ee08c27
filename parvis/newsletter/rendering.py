"""E-mail rendering of campaigns: blocks → HTML and plain-text parts, personal footer,
List-Unsubscribe headers.

The shape of :attr:`Campaign.body` (the composer writes it, this module reads it): a JSON
list of blocks, each an object with a ``type``:

- ``{"type": "text", "heading": "…" (optional), "text": "…"}`` — plain text; a blank
  line starts a new paragraph, a single newline is a line break (no HTML is read);
- ``{"type": "image", "image": <wagtail image id>, "alt": "…", "caption": "…"}`` —
  ``alt`` defaults to the image's title; ``caption`` is optional;
- ``{"type": "button", "label": "…", "url": "https://…"}`` — only http(s) URLs, or a
  path on the site (``/agenda/``) made absolute;
- ``{"type": "news", "pages": [<NewsPage id>, …]}`` and
  ``{"type": "events", "pages": [<EventPage id>, …]}`` — a selection of live CMS pages
  shown with their title, date, summary and link. When sending starts,
  :func:`freeze_body` adds ``"items": [{"title", "date", "summary", "url"}]`` to these
  blocks, so later edits of the pages do not change a campaign half-way; rendering uses
  ``items`` when present.

Unknown block types and malformed blocks are ignored (never a crash mid-campaign).

Contract of :func:`render_campaign_email`: the message has a plain-text body and an HTML
alternative; ``From`` is ``PARVIS_NEWSLETTER_FROM_EMAIL``; ``Reply-To`` is
``PARVIS_NEWSLETTER_REPLY_TO`` when set; for a contact, ``List-Unsubscribe`` holds the
https one-click URL of that contact and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
(RFC 8058), and the footer links to the preference centre and to unsubscribing. Without a
contact (preview, test send) the links point to the site's subscription page and no
List-Unsubscribe header is set. Queries: one per image, two per news/events block when not
frozen, none otherwise.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone

from .models import Campaign, Channel, Contact

MAX_PAGES_PER_BLOCK = 12


def _site_url() -> str:
    return settings.PARVIS_SITE_URL.rstrip("/")


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return _site_url() + url
    return url


def _safe_url(url: str) -> str:
    url = (url or "").strip()
    if url.startswith(("https://", "http://", "mailto:")):
        return url
    if url.startswith("/") and not url.startswith("//"):
        return _absolute(url)
    return ""


def _page_ids(block: dict) -> list[int]:
    ids = []
    for value in block.get("pages") or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids[:MAX_PAGES_PER_BLOCK]


def _page_items(kind: str, ids: list[int]) -> list[dict]:
    """Live pages of the selection, in the order chosen, as plain dicts."""
    if not ids:
        return []
    if kind == "news":
        from parvis.cms.models import NewsPage as model
    else:
        from parvis.cms.models import EventPage as model
    pages = {page.pk: page for page in model.objects.live().filter(pk__in=ids).specific()}
    items = []
    for pk in ids:
        page = pages.get(pk)
        if page is None:
            continue
        if kind == "news":
            when = formats.date_format(page.date, "j F Y")
        else:
            start = timezone.localtime(page.start)
            when = (
                formats.date_format(start, "l j F Y")
                if page.all_day
                else formats.date_format(start, "l j F Y, H\\hi")
            )
            if page.location:
                when = f"{when} · {page.location}"
        items.append(
            {
                "title": page.title,
                "date": when,
                "summary": page.summary or "",
                "url": _absolute(page.url or ""),
            }
        )
    return items


def freeze_body(body: list) -> list:
    """Return ``body`` with the news/events blocks' pages resolved into ``items``."""
    frozen = []
    for block in body or []:
        if isinstance(block, dict) and block.get("type") in ("news", "events"):
            block = {**block, "items": _page_items(block["type"], _page_ids(block))}
        frozen.append(block)
    return frozen


def _paragraphs(text: str) -> list[list[str]]:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return []
    return [part.split("\n") for part in text.split("\n\n") if part.strip()]


def _image(block: dict) -> dict | None:
    from wagtail.images import get_image_model

    try:
        image = get_image_model().objects.get(pk=int(block.get("image")))
    except (TypeError, ValueError, get_image_model().DoesNotExist):
        return None
    rendition = image.get_rendition("width-600")
    return {
        "url": _absolute(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": block.get("alt") or image.title,
        "caption": block.get("caption", ""),
    }


def blocks_context(body: list) -> list[dict]:
    """Blocks ready for the templates (see the module docstring for the input shape)."""
    blocks = []
    for block in body or []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            paragraphs = _paragraphs(str(block.get("text", "")))
            if paragraphs or block.get("heading"):
                blocks.append(
                    {"type": "text", "heading": block.get("heading", ""), "paragraphs": paragraphs}
                )
        elif kind == "image":
            image = _image(block)
            if image:
                blocks.append({"type": "image", **image})
        elif kind == "button":
            url = _safe_url(str(block.get("url", "")))
            if url and block.get("label"):
                blocks.append({"type": "button", "label": block["label"], "url": url})
        elif kind in ("news", "events"):
            items = block.get("items")
            if items is None:
                items = _page_items(kind, _page_ids(block))
            if items:
                blocks.append({"type": kind, "heading": block.get("heading", ""), "items": items})
    return blocks


def _commune_name() -> str:
    from parvis.core.models import CommuneSettings

    try:
        return CommuneSettings.load().name
    except Exception:  # noqa: BLE001 - no settings row yet: the default name
        return "Gréasque"


def _subscribe_url() -> str:
    try:
        return _absolute(reverse("newsletter:subscribe"))
    except NoReverseMatch:
        return _site_url() + "/lettre/"


def render_campaign_email(
    campaign: Campaign,
    contact: Contact | None,
    *,
    delivery=None,
    blocks: list[dict] | None = None,
    commune: str | None = None,
) -> EmailMultiAlternatives:
    """The e-mail of ``campaign`` for ``contact`` (see the module docstring).

    ``blocks`` and ``commune`` may be passed pre-computed by a caller rendering many
    messages of the same campaign. ``delivery`` is used for the address when given.
    """
    from .services.consents import preferences_url, unsubscribe_url

    if blocks is None:
        blocks = blocks_context(campaign.body)
    if contact is not None:
        unsubscribe = unsubscribe_url(contact, Channel.EMAIL)
        preferences = preferences_url(contact)
    else:
        unsubscribe = preferences = _subscribe_url()
    context = {
        "campaign": campaign,
        "subject": campaign.subject or campaign.title,
        "blocks": blocks,
        "contact": contact,
        "commune": commune or _commune_name(),
        "site_url": _site_url(),
        "unsubscribe_url": unsubscribe,
        "preferences_url": preferences,
        "year": dt.date.today().year,
    }
    text = render_to_string("newsletter/email/campaign.txt", context)
    html = render_to_string("newsletter/email/campaign.html", context)
    to = delivery.address if delivery is not None else (contact.email if contact else None)
    reply_to = settings.PARVIS_NEWSLETTER_REPLY_TO
    headers = {}
    if contact is not None:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.PARVIS_NEWSLETTER_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[to] if to else [],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
