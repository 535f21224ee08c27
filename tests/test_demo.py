"""The Gréasque demo site: built by ``load_demo``, idempotent, renderable, and its demo
accounts and second factors behave as ``demo_logins``/``demo_otp`` say."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Page, Revision, Site

from parvis.cms.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from parvis.cms.models import (
    AccessibilityStatementPage,
    Act,
    ContactPage,
    CouncilMeetingPage,
    EventIndexPage,
    EventPage,
    HomePage,
    LegalPage,
    NewsPage,
    PublicationIndexPage,
    StandardPage,
)
from parvis.core.models import Alert, CommuneSettings, Footer, MainMenu


@pytest.fixture(scope="module")
def demo_media(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for the module, inside a transaction rolled back at the end."""
    media = str(tmp_path_factory.mktemp("demo-media"))
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            yield media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo_site(demo_media, settings):
    settings.MEDIA_ROOT = demo_media  # the suite gives each test its own media folder


def snapshot():
    User = get_user_model()
    return {
        "pages": Page.objects.count(),
        "live pages": Page.objects.live().count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "acts": Act.objects.count(),
        "published acts": Act.objects.published().count(),
        "users": User.objects.count(),
        "totp devices": TOTPDevice.objects.count(),
        "alerts": Alert.objects.count(),
        "groups": Group.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
        "menu items": MainMenu.load().items.count(),
        "footer links": Footer.load().links.count(),
        "event dates": list(EventPage.objects.order_by("pk").values_list("start", "end")),
    }


@pytest.mark.django_db
def test_load_demo_is_idempotent(demo_site):
    before = snapshot()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert snapshot() == before
    assert "Rien à créer" in out.getvalue()

    assert before["images"] >= 20
    assert before["users"] == len(DEMO_ACCOUNTS)
    assert before["alerts"] == 1
    assert NewsPage.objects.live().count() >= 10
    assert EventPage.objects.live().count() >= 10
    assert CouncilMeetingPage.objects.count() == 4
    assert before["acts"] >= 10
    assert Act.objects.filter(live=False, first_published_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_demo_site_structure(demo_site):
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert site.site_name == "Gréasque"
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()  # welcome page gone
    assert 6 <= len(home.quick_links) <= 8

    commune = CommuneSettings.load()
    assert (commune.insee_code, commune.postcode, commune.city) == ("13046", "13850", "Gréasque")
    assert commune.logo is not None

    # every page was published through a revision; news are dated in the past
    for page in Page.objects.filter(depth__gt=1):
        assert page.live and page.live_revision_id, page
    assert all(n.first_published_at.date() <= n.date for n in NewsPage.objects.all())

    # the service pages together use every block type
    used = {block.block_type for page in StandardPage.objects.all() for block in page.body}
    assert used >= {
        "paragraph",
        "heading",
        "image",
        "document",
        "call_to_action",
        "faq",
        "table",
        "quote",
    }

    # the agenda always has something ahead, including a multi-day and an all-day event
    upcoming = list(EventIndexPage.objects.get().events())
    assert len(upcoming) >= 8
    assert any(e.all_day for e in upcoming)
    assert any(e.end and (e.end - e.start).days >= 1 for e in upcoming)

    # acts: deliberations tied to meetings, one correcting act, signed PDFs
    assert Act.objects.filter(act_type="deliberation", meeting__isnull=False).exists()
    correcting = Act.objects.get(supersedes__isnull=False)
    assert correcting.supersedes.first_published_at is not None
    for act in Act.objects.all():
        data = act.signed_document.file.read()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")

    assert PublicationIndexPage.objects.get().issues.count() == 3
    assert ContactPage.objects.get().recipients.filter(email__endswith="@example.org").count() == 5
    assert not LegalPage.objects.filter(show_in_menus=True).exists()
    assert Alert.objects.current().get().level == Alert.Level.WARNING

    for image in get_image_model().objects.all():
        assert image.description
        assert image.file.size <= 150 * 1024
    assert get_image_model().objects.filter(width=1600, height=900).count() >= 15


@pytest.mark.django_db
def test_section_group_only_grants_its_section(demo_site):
    enfance = StandardPage.objects.get(slug="enfance-jeunesse")
    etat_civil = StandardPage.objects.get(slug="etat-civil")
    group = Group.objects.get(name="Section Enfance-jeunesse")
    grants = GroupPagePermission.objects.filter(group=group)
    assert {g.page_id for g in grants} == {enfance.pk}
    assert {g.permission.codename for g in grants} == {"add_page", "change_page"}

    writer = get_user_model().objects.get(email="redaction.enfance@example.org")
    assert set(writer.groups.values_list("name", flat=True)) == {
        "Rédacteur de service",
        "Section Enfance-jeunesse",
    }
    assert enfance.permissions_for_user(writer).can_edit()
    assert not enfance.permissions_for_user(writer).can_publish()
    assert not etat_civil.permissions_for_user(writer).can_edit()
    assert not HomePage.objects.get().permissions_for_user(writer).can_edit()


@pytest.mark.django_db
def test_demo_accounts_and_second_factor(demo_site):
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        validate_password(DEMO_PASSWORD, user=user)
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_superuser == account.superuser
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists() == account.is_staff

    out = io.StringIO()
    call_command("demo_logins", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert DEMO_PASSWORD in text and "camille.martin@example.org" in text
    assert "demo_otp" in text

    code = io.StringIO()
    call_command("demo_otp", "communication@example.org", stdout=code, verbosity=0)
    assert re.fullmatch(r"\d{6}", code.getvalue().strip())
    device = TOTPDevice.objects.get(user__email="communication@example.org")
    assert device.verify_token(code.getvalue().strip())

    # never a code for a real account, nor for a demo account whose key was replaced
    real = User.objects.create_user("agent.titulaire@commune.example.net", "Un-Vrai-Mot-2026!")
    TOTPDevice.objects.create(user=real, name="app", confirmed=True)
    with pytest.raises(CommandError):
        call_command("demo_otp", real.email, stdout=io.StringIO())
    TOTPDevice.objects.filter(user__email="elu@example.org").update(key="ab" * 20)
    with pytest.raises(CommandError):
        call_command("demo_otp", "elu@example.org", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_pages_render(demo_site, client):
    pages = [
        HomePage.objects.get(),
        StandardPage.objects.get(slug="mairie-services"),
        StandardPage.objects.get(slug="environnement"),
        StandardPage.objects.get(slug="culture-patrimoine"),
        NewsPage.objects.first(),
        EventIndexPage.objects.get(),
        EventPage.objects.filter(all_day=True).first(),
        CouncilMeetingPage.objects.order_by("date").first(),
        PublicationIndexPage.objects.get(),
        ContactPage.objects.get(),
        AccessibilityStatementPage.objects.get(),
    ]
    pages += [
        p.specific
        for p in Page.objects.filter(
            slug__in=[
                "actualites",
                "conseils-municipaux",
                "registre-des-actes",
                "plan-du-site",
                "mentions-legales",
            ]
        )
    ]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    home = client.get("/")
    assert "Gréasque" in home.content.decode()
