"""Template tags of the public theme: menu, alert, breadcrumb, footer, town hall, JSON-LD.

Contract: every tag here runs a bounded number of SQL queries, whatever the amount of
content (no query per menu item, per child page or per link). Tags accept a missing
``request`` in the context and then fall back to the default site.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django import forms, template
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.models import Page, Site

from parvis.core import hours
from parvis.core.models import Alert, CommuneSettings, Footer, MainMenu

register = template.Library()

SCHEMA_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# --- helpers ------------------------------------------------------------------------------


def _request(context):
    return context.get("request")


def _site(request):
    if request is None:
        return Site.objects.filter(is_default_site=True).first()
    return Site.find_for_request(request)


def _load_setting(model, request):
    if request is not None:
        return model.load(request_or_site=request)
    return model.load()


def _absolute(request, url: str) -> str:
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    from django.conf import settings

    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + url


def _page_url(page, request) -> str:
    return page.get_url(request=request) or ""


def _link_url(link, request) -> str:
    """URL of a ``LinkFields`` row whose ``link_page`` was fetched with select_related."""
    if link.link_page_id:
        return _page_url(link.link_page, request)
    return link.link_url or ""


def _public(queryset, request):
    """``queryset.public()`` with the view restrictions read once per request."""
    from wagtail.models import PageViewRestriction

    paths = getattr(request, "_parvis_restricted_paths", None) if request is not None else None
    if paths is None:
        paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
        if request is not None:
            request._parvis_restricted_paths = paths
    for path in paths:
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def _current_page(context):
    page = context.get("page")
    return page if isinstance(page, Page) else None


# --- header -------------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def main_menu(context):
    """Items of the main menu, with the live, in-menu children of items that show them.

    Each item is ``{"label", "url", "current", "active", "children", "id"}``.

    Queries: the menu, its items (with their pages), the view restrictions and every
    child page in one query.
    """
    request = _request(context)
    current = _current_page(context)
    menu = _load_setting(MainMenu, request)
    rows = list(menu.items.select_related("link_page").order_by("sort_order"))
    rows = [r for r in rows if not r.link_page_id or r.link_page.live]

    parents = [r.link_page for r in rows if r.show_children and r.link_page_id]
    children_by_parent = defaultdict(list)
    if parents:
        condition = Q()
        for parent in parents:
            condition |= Q(path__startswith=parent.path, depth=parent.depth + 1)
        children = (
            _public(Page.objects.live().in_menu(), request)
            .filter(condition)
            .only("id", "path", "depth", "title", "url_path", "slug")
            .order_by("path")
        )
        for child in children:
            children_by_parent[child.path[: -Page.steplen]].append(child)

    site_root_depth = 2
    current_path = current.path if current is not None else ""
    items = []
    for index, row in enumerate(rows, start=1):
        page = row.link_page if row.link_page_id else None
        item = {
            "label": row.label,
            "url": _link_url(row, request),
            "current": page is not None and current is not None and page.pk == current.pk,
            "active": bool(
                page is not None
                and current_path
                and page.depth > site_root_depth
                and current_path.startswith(page.path)
            ),
            "children": [],
            "id": f"sous-menu-{index}",
        }
        if page is not None and row.show_children:
            for child in children_by_parent.get(page.path, []):
                item["children"].append(
                    {
                        "title": child.title,
                        "url": _page_url(child, request),
                        "current": current is not None and child.pk == current.pk,
                    }
                )
        items.append(item)
    return items


@register.inclusion_tag("includes/alert.html", takes_context=True)
def current_alert(context):
    """The most important current alert, if any (one query)."""
    request = _request(context)
    alert = Alert.objects.current().select_related("link_page").first()
    link = ""
    if alert is not None and alert.link_page_id and alert.link_page.live:
        link = _page_url(alert.link_page, request)
    return {"alert": alert, "link": link}


@register.inclusion_tag("includes/breadcrumb.html", takes_context=True)
def breadcrumb(context, label=None):
    """Breadcrumb from the home page to the current page (one query), or to ``label``
    for views that are not pages. Renders nothing on the home page."""
    request = _request(context)
    page = _current_page(context)
    crumbs = []
    if page is not None:
        if page.depth <= 2:
            return {"crumbs": []}
        ancestors = (
            page.get_ancestors()
            .filter(depth__gte=2)
            .live()
            .only("id", "path", "depth", "title", "url_path", "slug")
        )
        for ancestor in ancestors:
            title = _("Accueil") if ancestor.depth == 2 else ancestor.title
            crumbs.append({"title": title, "url": _page_url(ancestor, request)})
        crumbs.append({"title": label or page.title, "url": ""})
    else:
        crumbs.append({"title": _("Accueil"), "url": "/"})
        crumbs.append({"title": label or "", "url": ""})
    return {"crumbs": crumbs}


@register.filter
def tel_href(phone):
    """``01 99 00 12 34`` → ``+33199001234`` for a ``tel:`` link."""
    digits = re.sub(r"[^0-9+]", "", phone or "")
    if digits.startswith("0") and len(digits) == 10:
        return "+33" + digits[1:]
    return digits


# --- footer -------------------------------------------------------------------------------


@register.inclusion_tag("includes/footer.html", takes_context=True)
def site_footer(context):
    """Footer text and links, then the legal pages and the accessibility status.

    Queries: the footer, its links, the legal pages and the accessibility statement.
    """
    from parvis.cms.models import AccessibilityStatementPage, LegalPage, SitemapPage

    request = _request(context)
    footer = _load_setting(Footer, request)
    commune = _load_setting(CommuneSettings, request)
    links = []
    seen_pages = set()
    for row in footer.links.select_related("link_page").order_by("sort_order"):
        if row.link_page_id:
            if not row.link_page.live:
                continue
            seen_pages.add(row.link_page_id)
        links.append({"label": row.label, "url": _link_url(row, request)})

    legal = (
        _public(Page.objects.live(), request)
        .type(LegalPage, SitemapPage)
        .only("id", "path", "depth", "title", "url_path", "slug")
        .order_by("path")
    )
    for page in legal:
        if page.pk not in seen_pages:
            links.append({"label": page.title, "url": _page_url(page, request)})
            seen_pages.add(page.pk)

    statement = _public(AccessibilityStatementPage.objects.live(), request).order_by("path").first()
    accessibility = None
    if statement is not None:
        accessibility = {
            "url": _page_url(statement, request),
            "status": statement.get_status_display(),
        }
        seen_pages.add(statement.pk)

    return {
        "footer": footer,
        "commune": commune,
        "links": links,
        "accessibility": accessibility,
        "year": timezone.localdate().year,
    }


# --- pages --------------------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def index_page(context, kind):
    """The first live index page of a kind: ``news``, ``events``, ``council``, ``acts``.

    One query per kind and request (the answer is kept on the request).
    """
    from parvis.cms import models as cms

    request = _request(context)
    memo = getattr(request, "_parvis_index_pages", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._parvis_index_pages = memo
    if kind not in memo:
        model = {
            "news": cms.NewsIndexPage,
            "events": cms.EventIndexPage,
            "council": cms.CouncilIndexPage,
            "acts": cms.ActsRegisterPage,
        }[kind]
        memo[kind] = _public(model.objects.live(), request).order_by("path").first()
    return memo[kind]


@register.simple_tag
def parent_index(page):
    """The news or events index page above ``page`` (one query)."""
    from parvis.cms import models as cms

    model = cms.EventIndexPage if isinstance(page, cms.EventPage) else cms.NewsIndexPage
    return model.objects.live().parent_of(page).first()


@register.simple_tag(takes_context=True)
def child_pages(context, page):
    """Live, public, in-menu children of ``page`` (plain pages, one query)."""
    return list(
        _public(page.get_children().live().in_menu(), _request(context)).only(
            "id", "path", "depth", "title", "url_path", "slug", "search_description"
        )
    )


@register.simple_tag
def related_pages(page):
    """Live pages linked from a news page's "related content" (one query, plain pages)."""
    return page.related_pages()


@register.simple_tag
def sitemap_tree(pages, base_depth):
    """Nest a path-ordered list of pages into ``[{"page": p, "children": [...]}]``."""
    tree = []
    stack = []  # (depth, children list)
    for page in pages:
        depth = page.depth - base_depth
        node = {"page": page, "children": []}
        while stack and stack[-1][0] >= depth:
            stack.pop()
        (stack[-1][1] if stack else tree).append(node)
        stack.append((depth, node["children"]))
    return tree


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current one, with ``…`` (Paginator.ELLIPSIS) gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    )


@register.simple_tag
def share_image(page):
    """The image shown when a page is shared: its own, or the home page's hero image."""
    return getattr(page, "share_image", None)


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    return _absolute(_request(context), url)


@register.simple_tag(takes_context=True)
def theme_version(context):
    """A short token that changes with the commune's colours (cache busting of theme.css)."""
    from parvis.core.views import theme_version as version

    commune = _load_setting(CommuneSettings, _request(context))
    return version(commune.primary_colour, commune.accent_colour)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_lazy("Mots-clés"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


@register.simple_tag
def search_form(query="", prefix=None):
    """The site search form, bound to the current ``query`` (``prefix`` keeps ids unique)."""
    form = SearchForm(data={"q": query or ""}, auto_id=f"{prefix}-%s" if prefix else "id_%s")
    form.is_valid()
    return form


# --- dates --------------------------------------------------------------------------------


def _time_tag(value, text):
    return format_html('<time datetime="{}">{}</time>', value, text)


@register.simple_tag
def event_dates(event):
    """Dates of an event as HTML with ``<time>`` elements, aware of all-day events."""
    start = timezone.localtime(event.start)
    end = timezone.localtime(event.end) if event.end else None
    if event.all_day:
        last = end.date() if end else start.date()
        first_html = _time_tag(start.date().isoformat(), formats.date_format(start, "l j F Y"))
        if last == start.date():
            return format_html("{} ({})", first_html, _("toute la journée"))
        same_year = last.year == start.year
        start_text = formats.date_format(start, "l j F" if same_year else "l j F Y")
        return format_html(
            _("du {start} au {end}"),
            start=_time_tag(start.date().isoformat(), start_text),
            end=_time_tag(last.isoformat(), formats.date_format(last, "l j F Y")),
        )
    start_html = _time_tag(
        start.isoformat(),
        _("%(date)s à %(time)s")
        % {"date": formats.date_format(start, "l j F Y"), "time": start.strftime("%H:%M")},
    )
    if end is None:
        return start_html
    if end.date() == start.date():
        return format_html(
            _("{start} – {end}"),
            start=start_html,
            end=_time_tag(end.isoformat(), end.strftime("%H:%M")),
        )
    return format_html(
        _("du {start} au {end}"),
        start=start_html,
        end=_time_tag(
            end.isoformat(),
            _("%(date)s à %(time)s")
            % {"date": formats.date_format(end, "l j F Y"), "time": end.strftime("%H:%M")},
        ),
    )


# --- town hall ----------------------------------------------------------------------------


def _format_ranges(ranges):
    return [f"{begin:%H:%M}–{end:%H:%M}" for begin, end in ranges]


@register.inclusion_tag("includes/town_hall.html", takes_context=True)
def town_hall(context, now=None, heading_level=2):
    """The town hall card: address, phone, e-mail, this week's hours and the state now."""
    request = _request(context)
    commune = _load_setting(CommuneSettings, request)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    value = commune.town_hall_hours
    days = []
    if value:
        for day in hours.week(value, today):
            days.append(
                {
                    "date": day.date,
                    "is_today": day.date == today,
                    "ranges": _format_ranges(day.ranges),
                }
            )
    return {
        "commune": commune,
        "days": days,
        "status": hours.status_label(value, now) if value else "",
        "is_open": hours.is_open(value, now) if value else False,
        "heading_level": heading_level,
    }


def _opening_hours_specs(value: str, today: dt.date) -> list[str]:
    """schema.org ``openingHours`` strings (``Mo 08:30-12:00``) of a usual week.

    A day closed this week (a public holiday) takes the hours of the same day next week.
    """
    if not value:
        return []
    this_week = hours.week(value, today)
    next_week = hours.week(value, today + dt.timedelta(days=7))
    by_weekday = {}
    for day, later in zip(this_week, next_week, strict=True):
        by_weekday[day.date.weekday()] = day.ranges or later.ranges
    specs = []
    for weekday in range(7):
        for begin, end in by_weekday.get(weekday, ()):
            specs.append(f"{SCHEMA_DAYS[weekday]} {begin:%H:%M}-{end:%H:%M}")
    return specs


def _json_ld(data) -> str:
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


def _organisation(commune, request):
    site = _site(request)
    org = {
        "@type": "GovernmentOrganization",
        "name": _("Mairie de %(name)s") % {"name": commune.name},
    }
    if site is not None:
        org["url"] = site.root_url if request is None else request.build_absolute_uri("/")
    return org


def _rendition_url(image, spec, request):
    if image is None:
        return ""
    try:
        return _absolute(request, image.get_rendition(spec).url)
    except Exception:  # noqa: BLE001 - a missing source file must not break the page
        return ""


@register.simple_tag(takes_context=True)
def town_hall_json_ld(context, now=None):
    request = _request(context)
    commune = _load_setting(CommuneSettings, request)
    now = now or timezone.now()
    data = {"@context": "https://schema.org", **_organisation(commune, request)}
    address = {"@type": "PostalAddress", "addressCountry": "FR"}
    if commune.street:
        address["streetAddress"] = commune.street
    if commune.postcode:
        address["postalCode"] = commune.postcode
    address["addressLocality"] = commune.city or commune.name
    data["address"] = address
    if commune.phone:
        data["telephone"] = commune.phone
    if commune.email:
        data["email"] = commune.email
    if commune.latitude is not None and commune.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(commune.latitude),
            "longitude": float(commune.longitude),
        }
    specs = _opening_hours_specs(commune.town_hall_hours, timezone.localtime(now).date())
    if specs:
        data["openingHours"] = specs
    return _json_ld(data)


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, page):
    request = _request(context)
    commune = _load_setting(CommuneSettings, request)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title[:110],
        "datePublished": page.date.isoformat(),
        "mainEntityOfPage": page.get_full_url(request),
        "publisher": _organisation(commune, request),
        "author": _organisation(commune, request),
    }
    if page.last_published_at:
        data["dateModified"] = timezone.localtime(page.last_published_at).isoformat()
    if page.get_description():
        data["description"] = page.get_description()
    image_url = _rendition_url(page.share_image, "fill-1200x630|format-jpeg", request)
    if image_url:
        data["image"] = [image_url]
    if page.category_id:
        data["articleSection"] = page.category.name
    return _json_ld(data)


_PRICE_RE = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(?:€|euros?\b|EUR\b)", re.IGNORECASE)


def _offer(price_text: str, url: str):
    text = (price_text or "").strip()
    if not text:
        return None
    match = _PRICE_RE.search(text)
    if match:
        try:
            amount = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:
            return None
    elif "gratuit" in text.lower() or "libre" in text.lower():
        amount = Decimal("0")
    else:
        return None
    return {
        "@type": "Offer",
        "price": f"{amount:.2f}",
        "priceCurrency": "EUR",
        "description": text,
        "url": url,
    }


@register.simple_tag(takes_context=True)
def event_json_ld(context, page):
    request = _request(context)
    commune = _load_setting(CommuneSettings, request)
    url = page.get_full_url(request)
    if page.all_day:
        start = timezone.localtime(page.start).date().isoformat()
        end = timezone.localtime(page.end or page.start).date().isoformat()
    else:
        start = timezone.localtime(page.start).isoformat()
        end = timezone.localtime(page.effective_end).isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": page.title,
        "startDate": start,
        "endDate": end,
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": url,
        "organizer": _organisation(commune, request),
        "location": {
            "@type": "Place",
            "name": page.location or commune.name,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": commune.city or commune.name,
                "postalCode": commune.postcode,
                "addressCountry": "FR",
            },
        },
    }
    if page.get_description():
        data["description"] = page.get_description()
    image_url = _rendition_url(page.share_image, "fill-1200x630|format-jpeg", request)
    if image_url:
        data["image"] = [image_url]
    offer = _offer(page.price, page.registration_url or url)
    if offer:
        data["offers"] = offer
    return _json_ld(data)
