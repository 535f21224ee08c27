from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index


class BasePage(Page):
    """Fields every public page shares: a summary for listings, search and OpenGraph."""

    summary = models.TextField(
        _("résumé"),
        blank=True,
        max_length=300,
        help_text=_("Une ou deux phrases, reprises dans les listes, la recherche et les partages."),
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image de partage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    promote_panels = Page.promote_panels + [FieldPanel("summary"), FieldPanel("listing_image")]
    search_fields = Page.search_fields + [index.SearchField("summary")]

    class Meta:
        abstract = True

    @property
    def share_image(self):
        return self.listing_image

    def get_description(self):
        return self.search_description or self.summary
