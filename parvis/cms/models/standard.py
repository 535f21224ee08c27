from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from ..blocks import BodyBlock
from .base import BasePage


class StandardPage(BasePage):
    """A service page or any other page built from blocks."""

    body = StreamField(BodyBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    promote_panels = [
        p for p in BasePage.promote_panels if getattr(p, "field_name", "") != "summary"
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body")]

    template = "cms/standard_page.html"

    class Meta:
        verbose_name = _("page standard")
        verbose_name_plural = _("pages standard")
