"""Builders for a small site tree and staff accounts, shared by the tests."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page, Site

from parvis.accounts.models import User
from parvis.cms.models import (
    AccessibilityStatementPage,
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
    PublicationIndexPage,
    SitemapPage,
    StandardPage,
)

PASSWORD = "Mot-de-passe-Test-2026"


def make_user(email, *, groups=(), staff=False, superuser=False) -> User:
    user = User.objects.create_user(
        email=email,
        password=PASSWORD,
        is_staff=staff,
        is_superuser=superuser,
        first_name=email.split("@")[0].title(),
    )
    for name in groups:
        # The staff groups come from a data migration; a transactional test before this
        # one may have flushed them, in which case the group comes back without its
        # permissions (enough for tests that only need membership).
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_image(title="Image", size=(640, 360), colour=(40, 110, 160)) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "JPEG")
    return Image.objects.create(
        title=title,
        description=f"Description de {title}",
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.jpg"),
    )


def make_pdf(title="Document") -> Document:
    buffer = io.BytesIO()
    PILImage.new("RGB", (200, 280), (255, 255, 255)).save(buffer, "PDF")
    return Document.objects.create(
        title=title, file=ContentFile(buffer.getvalue(), name=f"{title}.pdf")
    )


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_site() -> dict:
    """A home page as the default site's root, with one page of every type under it."""
    root = Page.get_first_root_node()
    home = root.add_child(
        instance=HomePage(title="Gréasque", slug="greasque", hero_title="Bienvenue à Gréasque")
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Gréasque"},
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    tree = {"home": home}
    tree["standard"] = home.add_child(
        instance=StandardPage(
            title="État civil",
            slug="etat-civil",
            summary="Naissances, mariages, décès.",
            body=[("paragraph", "<p>Les actes d'état civil se demandent en mairie.</p>")],
        )
    )
    tree["news_index"] = home.add_child(
        instance=NewsIndexPage(title="Actualités", slug="actualites")
    )
    tree["news_category"] = NewsCategory.objects.create(name="Travaux", slug="travaux")
    tree["news"] = make_news(
        tree["news_index"], "Réfection du chemin des Mines", category=tree["news_category"]
    )
    tree["event_index"] = home.add_child(instance=EventIndexPage(title="Agenda", slug="agenda"))
    tree["event_category"] = EventCategory.objects.create(name="Culture", slug="culture")
    tree["event"] = make_event(
        tree["event_index"], "Fête de la Sainte-Barbe", category=tree["event_category"]
    )
    tree["council_index"] = home.add_child(
        instance=CouncilIndexPage(title="Conseils municipaux", slug="conseils")
    )
    tree["meeting"] = tree["council_index"].add_child(
        instance=CouncilMeetingPage(
            title="Conseil municipal du 3 mars",
            slug="conseil-3-mars",
            date=timezone.now() - dt.timedelta(days=30),
            agenda="<p>Budget primitif.</p>",
        )
    )
    tree["register"] = home.add_child(
        instance=ActsRegisterPage(title="Registre des actes", slug="registre-des-actes")
    )
    tree["publications"] = home.add_child(
        instance=PublicationIndexPage(title="Bulletin municipal", slug="bulletin")
    )
    contact = ContactPage(title="Nous contacter", slug="contact")
    contact.recipients = [
        ContactRecipient(label="Accueil", email="accueil@example.org"),
        ContactRecipient(label="Urbanisme", email="urbanisme@example.org"),
    ]
    tree["contact"] = home.add_child(instance=contact)
    tree["legal"] = home.add_child(
        instance=LegalPage(
            title="Mentions légales", slug="mentions-legales", body="<p>Éditeur : la mairie.</p>"
        )
    )
    tree["accessibility"] = home.add_child(
        instance=AccessibilityStatementPage(title="Accessibilité", slug="accessibilite")
    )
    tree["sitemap"] = home.add_child(
        instance=SitemapPage(title="Plan du site", slug="plan-du-site")
    )
    for page in tree.values():
        if isinstance(page, Page):
            publish(page)
    return tree


def make_news(index, title, *, category=None, date=None, image=None) -> NewsPage:
    page = index.add_child(
        instance=NewsPage(
            title=title,
            date=date or timezone.localdate(),
            category=category,
            image=image,
            summary=f"Résumé : {title}.",
            body=[("paragraph", f"<p>{title} — le détail.</p>")],
        )
    )
    return publish(page)


def make_event(index, title, *, start=None, category=None, all_day=False) -> EventPage:
    start = start or timezone.now() + dt.timedelta(days=7)
    page = index.add_child(
        instance=EventPage(
            title=title,
            start=start,
            end=start + dt.timedelta(hours=3),
            category=category,
            all_day=all_day,
            location="Salle des fêtes",
            price="Gratuit",
            summary=f"Résumé : {title}.",
        )
    )
    return publish(page)
