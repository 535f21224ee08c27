from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField

from ..blocks import QuickLinkBlock
from .base import BasePage


class HomePage(BasePage):
    hero_title = models.CharField(_("titre d'accueil"), max_length=120, blank=True)
    hero_text = models.TextField(_("texte d'accueil"), blank=True, max_length=400)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image d'accueil"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    quick_links = StreamField(
        [("link", QuickLinkBlock())], verbose_name=_("accès rapides"), blank=True, max_num=8
    )
    welcome = RichTextField(_("mot d'accueil"), blank=True, features=["bold", "italic", "link"])

    content_panels = BasePage.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("hero_image"),
        FieldPanel("quick_links"),
        FieldPanel("welcome"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("page d'accueil")

    @property
    def share_image(self):
        return self.listing_image or self.hero_image

    def get_context(self, request, *args, **kwargs):
        from .events import EventPage
        from .news import NewsPage

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = (
            NewsPage.objects.live()
            .public()
            .select_related("category", "listing_image", "image")
            .order_by("-date", "-pk")[:3]
        )
        context["upcoming_events"] = EventPage.objects.upcoming()[:4]
        context["now"] = timezone.now()
        return context
