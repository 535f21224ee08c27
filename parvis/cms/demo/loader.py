"""Builds the Gréasque demo site: settings, accounts, pages, media, acts and the alert.

Idempotent: every object is looked up by a stable key (slug under its parent, title of an
image or document, type and number of an act, e-mail of an account) and created only when
missing; nothing that exists is changed. Dates are computed from the *anchor*, the first
publication of the demo home page (or now, on the first run), so that a later run computes
the same slugs, titles and act numbers and shifts no date.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupPagePermission, Page, PageLogEntry, Revision, Site
from wagtail.search import index as search_index
from wagtail.search.signal_handlers import post_save_signal_handler as search_on_save
from wagtail.signal_handlers import disable_reference_index_auto_update

from parvis.bookings.demo import load_bookings_demo
from parvis.core.models import Alert, CommuneSettings, Footer, FooterLink, MainMenu, MainMenuItem
from parvis.directory.demo import load_directory_demo
from parvis.newsletter.demo import load_newsletter_demo
from parvis.payments.demo import load_payments_demo
from parvis.procedures.demo import load_procedures_demo

from ..models import (
    AccessibilityStatementPage,
    Act,
    ActsRegisterPage,
    ContactPage,
    ContactRecipient,
    CouncilIndexPage,
    CouncilMeetingPage,
    EventCategory,
    EventIndexPage,
    EventPage,
    HomePage,
    LegalPage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    NewsPageRelatedLink,
    PublicationIndexPage,
    PublicationIssue,
    SitemapPage,
    StandardPage,
)
from ..services import act_publish
from . import images, pdf
from .accounts import DEMO_ACCOUNTS, DEMO_DEVICE_NAME, DEMO_PASSWORD, demo_totp_key
from .content import council, events, legal, news, services, site, texts
from .content.texts import fr_date

LINK_RE = re.compile(r'<a href="(page|doc):([\w-]+)">')


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hours, minutes)))


def section_group_name(service_title: str) -> str:
    return f"Section {service_title}"


@contextmanager
def search_index_paused() -> Iterator[None]:
    """Skip indexing object by object (one task per save); the caller rebuilds the index."""
    models = [
        model
        for model in search_index.get_indexed_models()
        if getattr(model, "search_auto_update", True)
    ]
    for model in models:
        post_save.disconnect(search_on_save, sender=model)
    try:
        yield
    finally:
        for model in models:
            post_save.connect(search_on_save, sender=model)


class DemoLoader:
    """One run of the demo loader; ``run()`` returns the number of objects created by kind.

    Search and reference indexes are not updated object by object: run ``update_index``
    and ``rebuild_references_index`` afterwards (``load_demo`` does).
    """

    def __init__(self):
        self.created: Counter[str] = Counter()
        self.pages: dict[str, Page] = {}
        self.images: dict[str, object] = {}
        self.documents: dict[str, object] = {}
        self.meetings: dict[str, CouncilMeetingPage] = {}
        self.acts: dict[str, Act] = {}
        self.pending: list[tuple[Page, Callable | None, object, dt.datetime | None]] = []

    # -- entry point ---------------------------------------------------------------------
    def run(self) -> Counter:
        wagtail_logger = logging.getLogger("wagtail")
        level = wagtail_logger.level
        wagtail_logger.setLevel(logging.WARNING)  # one "Published" line per page otherwise
        try:
            with search_index_paused(), disable_reference_index_auto_update():
                with transaction.atomic():
                    self._build()
        finally:
            wagtail_logger.setLevel(level)
        return self.created

    def _build(self):
        self.now = timezone.now()
        home = HomePage.objects.first()
        self.anchor = home.first_published_at if home and home.first_published_at else self.now
        self.today = timezone.localdate(self.anchor)
        self.collection = Collection.get_first_root_node()

        self._users()
        self._categories()
        self._images()
        self._documents()
        self._pages()
        self._publish_pending()
        self._acts()
        self._section_permissions()
        self._settings()
        self.created.update(load_directory_demo(now=self.now))
        self.created.update(load_payments_demo(today=self.today))
        load_newsletter_demo()
        self.created.update(load_bookings_demo(today=self.today))
        self.created.update(load_procedures_demo(today=self.today))
        self._alert()

    def day(self, in_days: int, weekday: int | None = None) -> dt.date:
        day = self.today + dt.timedelta(days=in_days)
        if weekday is not None:
            day += dt.timedelta(days=(weekday - day.weekday()) % 7)
        return day

    # -- accounts ------------------------------------------------------------------------
    def _users(self):
        for spec in services.SERVICES:
            if spec.get("section_group", True):
                Group.objects.get_or_create(name=section_group_name(spec["title"]))
        User = get_user_model()
        encoded = None  # one hash for every account: hashing is deliberately slow
        self.users = {}
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(email__iexact=account.email).first()
            if user is None:
                encoded = encoded or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    email=account.email,
                    first_name=account.first_name,
                    last_name=account.last_name,
                    is_staff=account.is_staff,
                    is_superuser=account.superuser,
                    password=encoded,
                    email_verified_at=self.now,  # demo addresses are known good
                )
                groups = [Group.objects.get_or_create(name=name)[0] for name in account.groups]
                user.groups.set(groups)
                self.created["comptes"] += 1
            if account.is_staff and not TOTPDevice.objects.filter(user=user).exists():
                TOTPDevice.objects.create(
                    user=user,
                    name=DEMO_DEVICE_NAME,
                    key=demo_totp_key(account.email),
                    confirmed=True,
                )
                self.created["seconds facteurs"] += 1
            self.users[account.email] = user
        self.admin = self.users["admin@example.org"]
        self.editor = self.users["communication@example.org"]

    # -- snippets, media -----------------------------------------------------------------
    def _categories(self):
        self.news_categories = {}
        for name, slug in site.NEWS_CATEGORIES:
            category, created = NewsCategory.objects.get_or_create(
                slug=slug, defaults={"name": name}
            )
            self.news_categories[slug] = category
            self.created["catégories d'actualités"] += created
        self.event_categories = {}
        for name, slug in site.EVENT_CATEGORIES:
            category, created = EventCategory.objects.get_or_create(
                slug=slug, defaults={"name": name}
            )
            self.event_categories[slug] = category
            self.created["catégories d'événements"] += created

    def image(
        self,
        key: str,
        title: str,
        description: str,
        render: Callable[[], bytes],
        extension: str = "jpg",
    ):
        Image = get_image_model()
        image = Image.objects.filter(title=title).order_by("pk").first()
        if image is None:
            image = Image(title=title, description=description, collection=self.collection)
            name = f"{slugify(title)[:60] or 'image'}.{extension}"
            image.file = ImageFile(io.BytesIO(render()), name=name)
            image._set_image_file_metadata()
            image.save()
            self.created["images"] += 1
        self.images[key] = image
        return image

    def document(
        self,
        key: str,
        title: str,
        paragraphs: list[str],
        *,
        subtitle: str = "",
        created: dt.datetime | None = None,
        pdf_title: str = "",
    ):
        Document = get_document_model()
        document = Document.objects.filter(title=title).order_by("pk").first()
        if document is None:
            data = pdf.pdf_document(
                pdf_title or title, paragraphs, subtitle=subtitle, created=created
            )
            document = Document(title=title, collection=self.collection)
            document.file = ContentFile(data, name=f"{slugify(title)[:80] or 'document'}.pdf")
            document._set_document_file_metadata()
            document.save()
            self.created["documents"] += 1
        self.documents[key] = document
        return document

    def _images(self):
        for key, (title, description, scene) in site.IMAGES.items():
            self.image(key, title, description, lambda s=scene, k=key: images.landscape(s, k))
        title, description = site.LOGO
        self.image("logo", title, description, lambda: images.logo_png(site.SITE_NAME), "png")

    def _documents(self):
        for key, (title, paragraphs) in site.DOCUMENTS.items():
            self.document(key, title, paragraphs, subtitle="Commune de Gréasque")

    # -- stream fields and rich text -----------------------------------------------------
    def rich(self, html: str) -> str:
        def internal(match):
            kind, key = match.groups()
            if kind == "page":
                return f'<a linktype="page" id="{self.pages[key].pk}">'
            return f'<a linktype="document" id="{self.documents[key].pk}">'

        return LINK_RE.sub(internal, html)

    def ref(self, value):
        if isinstance(value, str):
            for prefix, table in (
                ("img:", self.images),
                ("doc:", self.documents),
                ("page:", self.pages),
            ):
                if value.startswith(prefix):
                    return table[value[len(prefix) :]].pk
        return value

    def stream(self, blocks) -> str:
        raw = []
        for block_type, value in blocks:
            if block_type == "paragraph":
                value = self.rich(value)
            elif block_type == "faq":
                value = {
                    "title": value["title"],
                    "items": [
                        {
                            "type": "item",
                            "id": str(uuid.uuid4()),
                            "value": {"question": i["question"], "answer": self.rich(i["answer"])},
                        }
                        for i in value["items"]
                    ],
                }
            elif isinstance(value, dict):
                value = {name: self.ref(item) for name, item in value.items()}
            raw.append({"type": block_type, "value": value, "id": str(uuid.uuid4())})
        return json.dumps(raw)

    def body(self, blocks) -> Callable:
        def fill(page):
            page.body = self.stream(blocks)

        return fill

    # -- pages ---------------------------------------------------------------------------
    def page(
        self, parent: Page, model, slug: str, *, fill=None, user=None, published_at=None, **fields
    ) -> Page:
        """The page ``slug`` under ``parent``; created as a draft, published later, if missing."""
        existing = Page.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            page = existing.specific
        else:
            user = user or self.admin
            page = model(slug=slug, live=False, owner=user, **fields)
            parent.add_child(instance=page)
            self.pending.append((page, fill, user, published_at))
            self.created["pages"] += 1
        self.pages[slug] = page
        return page

    def _publish_pending(self):
        """Publish every page created in this run through a revision, once all exist."""
        for page, fill, user, published_at in self.pending:
            page.refresh_from_db(fields=["numchild"])
            if fill is not None:
                fill(page)
            revision = page.save_revision(user=user)
            revision.publish(user=user)
            if published_at is not None and published_at < self.now:
                type(page).objects.filter(pk=page.pk).update(
                    first_published_at=published_at, last_published_at=published_at
                )
                Revision.objects.filter(pk=revision.pk).update(created_at=published_at)
                PageLogEntry.objects.filter(page_id=page.pk).update(timestamp=published_at)

    def _pages(self):
        root = Page.get_first_root_node()
        home = HomePage.objects.first()
        if home is None:
            home = self.page(
                root,
                HomePage,
                site.HOME["slug"],
                fill=self._fill_home,
                title=site.HOME["title"],
                hero_title=site.HOME["hero_title"],
                hero_text=site.HOME["hero_text"],
                hero_image=self.images[site.HOME["hero_image"]],
                summary=site.HOME["summary"],
            )
        self.pages[site.HOME["slug"]] = home
        self._site(home)

        section = self.page(
            home,
            StandardPage,
            services.SECTION["slug"],
            fill=self.body(services.SECTION["body"]),
            title=services.SECTION["title"],
            summary=services.SECTION["summary"],
            show_in_menus=True,
        )
        for spec in services.SERVICES:
            self.page(
                section,
                StandardPage,
                spec["slug"],
                fill=self.body(spec["body"]),
                title=spec["title"],
                summary=spec["summary"],
                show_in_menus=True,
            )
        self._news(home)
        self._events(home)
        self._council(home)
        self._publications(home)
        self._contact(home)
        self._legal(home)

    def _fill_home(self, page):
        page.welcome = self.rich(site.HOME["welcome"])
        page.quick_links = json.dumps(
            [
                {
                    "type": "link",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "label": label,
                        "icon": icon,
                        "page": None if slug.startswith("/") else self.pages[slug].pk,
                        "url": slug if slug.startswith("/") else "",
                    },
                }
                for label, icon, slug in site.HOME["quick_links"]
            ]
        )

    def _site(self, home):
        """Make the demo home page the root of the default site; drop Wagtail's welcome page."""
        default = Site.objects.filter(is_default_site=True).first()
        if default is None:
            Site.objects.create(
                hostname="localhost",
                root_page=home,
                is_default_site=True,
                site_name=site.SITE_NAME,
            )
            return
        changed = False
        if default.root_page_id != home.pk:
            default.root_page = home
            changed = True
        if not default.site_name:
            default.site_name = site.SITE_NAME
            changed = True
        if changed:
            default.save()
        welcome = Page.objects.filter(
            depth=2,
            slug="home",
            numchild=0,
            content_type=ContentType.objects.get_for_model(Page),
        ).exclude(sites_rooted_here__isnull=False)
        for page in welcome:
            page.delete()

    def _news(self, home):
        index = self.page(
            home,
            NewsIndexPage,
            news.INDEX["slug"],
            title=news.INDEX["title"],
            summary=news.INDEX["summary"],
            intro=news.INDEX["intro"],
            show_in_menus=True,
        )
        for spec in news.NEWS:
            day = self.day(-spec["days_ago"])

            def fill(page, spec=spec):
                page.body = self.stream(spec["body"])
                page.related_links = [
                    NewsPageRelatedLink(page=self.pages[slug], sort_order=i)
                    for i, slug in enumerate(spec["related"])
                ]

            self.page(
                index,
                NewsPage,
                spec["slug"],
                fill=fill,
                user=self.editor,
                published_at=at(day, "09:30"),
                title=spec["title"],
                date=day,
                category=self.news_categories[spec["category"]],
                image=self.images[spec["image"]],
                summary=spec["summary"],
            )

    def _events(self, home):
        index = self.page(
            home,
            EventIndexPage,
            events.INDEX["slug"],
            title=events.INDEX["title"],
            summary=events.INDEX["summary"],
            intro=events.INDEX["intro"],
            show_in_menus=True,
        )
        for spec in events.EVENTS:
            day = self.day(spec["in_days"], spec.get("weekday"))
            if spec.get("all_day"):
                start, end = at(day, "00:00"), at(day, "23:59")
            else:
                last_day = day + dt.timedelta(days=spec.get("days", 0))
                start, end = at(day, spec["start"]), at(last_day, spec["end"])
            self.page(
                index,
                EventPage,
                spec["slug"],
                fill=self.body(spec["body"]),
                user=self.editor,
                published_at=start - dt.timedelta(days=21),
                title=spec["title"],
                start=start,
                end=end,
                all_day=spec.get("all_day", False),
                location=spec["location"],
                price=spec["price"],
                registration_url=spec.get("registration_url", ""),
                category=self.event_categories[spec["category"]],
                image=self.images[spec["image"]],
                summary=spec["summary"],
            )

    # -- council, acts, publications -----------------------------------------------------
    def _council(self, home):
        index = self.page(
            home,
            CouncilIndexPage,
            council.COUNCIL_INDEX["slug"],
            title=council.COUNCIL_INDEX["title"],
            summary=council.COUNCIL_INDEX["summary"],
            intro=council.COUNCIL_INDEX["intro"],
            show_in_menus=True,
        )
        for key, spec in council.MEETINGS.items():
            day = self.day(spec["in_days"], spec.get("weekday"))
            when = at(day, spec["time"])
            items = "".join(f"<li>{item}</li>" for item in spec["agenda"])

            def fill(page, key=key, spec=spec, day=day):
                page.agenda_document = self._convocation(key, spec, day)
                if spec["minutes"]:
                    page.minutes_document = self._minutes(key, spec, day)

            self.meetings[key] = self.page(
                index,
                CouncilMeetingPage,
                f"conseil-municipal-{day.isoformat()}",
                fill=fill,
                user=self.editor,
                published_at=when - dt.timedelta(days=6),
                title=f"Conseil municipal du {fr_date(day)}",
                date=when,
                summary=spec["summary"],
                agenda=f"<ol>{items}</ol>",
            )
        self.page(
            home,
            ActsRegisterPage,
            council.REGISTER["slug"],
            title=council.REGISTER["title"],
            summary=council.REGISTER["summary"],
            intro=council.REGISTER["intro"],
            show_in_menus=True,
        )

    def _convocation(self, key, spec, day):
        return self.document(
            f"convocation-{key}",
            f"Convocation et ordre du jour — conseil municipal du {fr_date(day)}",
            texts.convocation_paragraphs(spec, day),
            subtitle="Commune de Gréasque — conseil municipal",
        )

    def _minutes(self, key, spec, day):
        return self.document(
            f"minutes-{key}",
            f"Procès-verbal — conseil municipal du {fr_date(day)}",
            texts.minutes_paragraphs(key, spec, day),
            subtitle="Commune de Gréasque — conseil municipal",
        )

    def act_date(self, spec) -> dt.date:
        if spec.get("meeting"):
            meeting = council.MEETINGS[spec["meeting"]]
            return self.day(meeting["in_days"], meeting.get("weekday"))
        return self.day(spec["in_days"])

    def _acts(self):
        for spec in council.ACTS:
            day = self.act_date(spec)
            number = texts.act_number(spec, day)
            act = Act.objects.filter(act_type=spec["type"], number=number).first()
            if act is None:
                supersedes = self.acts.get(spec.get("supersedes", ""))
                label = texts.ACT_LABELS[spec["type"]]
                document = self.document(
                    f"act-{spec['key']}",
                    f"{label} n° {number} — {spec['subject']}"[:255],
                    texts.act_paragraphs(spec, day, supersedes),
                    subtitle=spec["subject"],
                    created=at(day, "10:00"),
                    pdf_title=f"{label} n° {number}",
                )
                act = Act(
                    act_type=spec["type"],
                    number=number,
                    date=day,
                    subject=spec["subject"],
                    summary=spec["summary"],
                    signed_document=document,
                    meeting=self.meetings.get(spec.get("meeting", "")),
                    supersedes=supersedes,
                    live=False,
                )
                act.full_clean()
                act.save()
                self.created["actes"] += 1
                if spec.get("publish", True):
                    act = act_publish(act=act, user=self.editor)
                    published = min(
                        at(day + dt.timedelta(days=1), "10:00"), self.now - dt.timedelta(minutes=5)
                    )
                    Act.objects.filter(pk=act.pk).update(
                        first_published_at=published, last_published_at=published
                    )
                    Revision.objects.filter(pk=act.live_revision_id).update(created_at=published)
                else:
                    act.save_revision(user=self.editor)
            self.acts[spec["key"]] = act

    def _publications(self, home):
        def fill(page):
            issues = []
            for i, spec in enumerate(council.ISSUES):
                title = f"{site.BULLETIN_TITLE} n° {spec['number']}"
                document = self.document(
                    f"issue-{spec['number']}",
                    title,
                    [
                        part
                        for heading, text in spec["sections"]
                        for part in (f"## {heading}", text)
                    ],
                    subtitle=f"Bulletin municipal de Gréasque — {spec['headline']}",
                )
                cover = self.image(
                    f"cover-{spec['number']}",
                    f"Couverture du bulletin {title}",
                    f"Couverture du bulletin municipal {title} : {spec['headline']}.",
                    lambda spec=spec: images.cover_jpeg(
                        site.BULLETIN_TITLE,
                        f"n° {spec['number']}",
                        spec["headline"],
                        spec["scene"],
                        spec["contents"],
                    ),
                )
                issues.append(
                    PublicationIssue(
                        title=title,
                        number=spec["number"],
                        date=self.day(spec["in_days"]),
                        description=f"{spec['headline']}. Au sommaire : "
                        + ", ".join(spec["contents"]).lower()
                        + ".",
                        document=document,
                        cover=cover,
                        sort_order=i,
                    )
                )
            page.issues = issues

        self.page(
            home,
            PublicationIndexPage,
            council.BULLETIN["slug"],
            fill=fill,
            title=council.BULLETIN["title"],
            summary=council.BULLETIN["summary"],
            intro=council.BULLETIN["intro"],
            show_in_menus=True,
        )

    # -- contact and legal pages ---------------------------------------------------------
    def _contact(self, home):
        def fill(page):
            page.recipients = [
                ContactRecipient(label=label, email=email, sort_order=i)
                for i, (label, email) in enumerate(site.CONTACT["recipients"])
            ]

        self.page(
            home,
            ContactPage,
            site.CONTACT["slug"],
            fill=fill,
            title=site.CONTACT["title"],
            summary=site.CONTACT["summary"],
            intro=site.CONTACT["intro"],
            show_in_menus=True,
        )

    def _legal(self, home):
        for spec in (legal.LEGAL_NOTICE, legal.PRIVACY):
            self.page(
                home,
                LegalPage,
                spec["slug"],
                title=spec["title"],
                summary=spec["summary"],
                body=spec["body"],
                updated_on=self.today,
                show_in_menus=False,
            )
        spec = legal.ACCESSIBILITY
        self.page(
            home,
            AccessibilityStatementPage,
            spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            entity=spec["entity"],
            status=AccessibilityStatementPage.Status.PARTIAL,
            compliance_rate=Decimal(spec["compliance_rate"]),
            audit_date=self.day(-spec["audit_days_ago"]),
            audit_by=spec["audit_by"],
            non_compliant=spec["non_compliant"],
            technologies=spec["technologies"],
            body=spec["body"],
            contact_email=spec["contact_email"],
            multi_year_plan=self.documents["schema-accessibilite"],
            show_in_menus=False,
        )
        self.page(
            home,
            SitemapPage,
            legal.SITEMAP["slug"],
            title=legal.SITEMAP["title"],
            summary=legal.SITEMAP["summary"],
            show_in_menus=False,
        )

    # -- permissions, settings, alert ----------------------------------------------------
    def _section_permissions(self):
        """Each service page gets a group whose members may add and change pages there only."""
        permissions = list(
            Permission.objects.filter(
                content_type__app_label="wagtailcore",
                content_type__model="page",
                codename__in=["add_page", "change_page"],
            )
        )
        for spec in services.SERVICES:
            if not spec.get("section_group", True):
                continue
            group, _ = Group.objects.get_or_create(name=section_group_name(spec["title"]))
            for permission in permissions:
                _, created = GroupPagePermission.objects.get_or_create(
                    group=group, page=self.pages[spec["slug"]], permission=permission
                )
                self.created["droits sur les sections"] += created

    def _settings(self):
        commune = CommuneSettings.load()
        if not commune.insee_code:
            for name, value in site.COMMUNE.items():
                setattr(
                    commune, name, Decimal(value) if name in {"latitude", "longitude"} else value
                )
            commune.full_clean()
            commune.save()
            self.created["réglages"] += 1
        if commune.logo_id is None:
            commune.logo = self.images["logo"]
            commune.save(update_fields=["logo"])

        menu = MainMenu.load()
        if not menu.items.exists():
            menu.items = [
                MainMenuItem(
                    label=label, link_page=self.pages[slug], show_children=children, sort_order=i
                )
                for i, (label, slug, children) in enumerate(site.MAIN_MENU)
            ]
            menu.save()
            self.created["entrées de menu"] += len(site.MAIN_MENU)

        footer = Footer.load()
        if not footer.text and not footer.links.exists():
            footer.text = site.FOOTER_TEXT
            footer.links = [
                FooterLink(label=label, link_page=self.pages[slug], sort_order=i)
                for i, (label, slug) in enumerate(site.FOOTER_LINKS)
            ]
            footer.save()
            self.created["liens de pied de page"] += len(site.FOOTER_LINKS)

    def _alert(self):
        if Alert.objects.filter(title=site.ALERT["title"]).exists():
            return
        Alert.objects.create(
            level=Alert.Level.WARNING,
            title=site.ALERT["title"],
            message=site.ALERT["message"],
            link_page=self.pages[site.ALERT["page"]],
            starts_at=self.now - dt.timedelta(hours=1),
            ends_at=self.now + dt.timedelta(days=7),
        )
        self.created["alertes"] += 1
