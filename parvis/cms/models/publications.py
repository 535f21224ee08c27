from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from .base import BasePage


class PublicationIndexPage(BasePage):
    """The municipal bulletin and other publications, newest first, as PDF issues."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("intro"),
        InlinePanel("issues", label=_("numéro"), heading=_("Numéros")),
    ]
    subpage_types = []
    template = "cms/publication_index_page.html"

    class Meta:
        verbose_name = _("publications")

    def ordered_issues(self):
        return self.issues.select_related("document", "cover").order_by("-date", "-pk")


class PublicationIssue(Orderable):
    page = ParentalKey(PublicationIndexPage, related_name="issues", on_delete=models.CASCADE)
    title = models.CharField(_("titre"), max_length=200)
    number = models.CharField(_("numéro"), max_length=20, blank=True)
    date = models.DateField(_("date de parution"))
    description = models.TextField(_("sommaire"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("fichier PDF"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("couverture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("number"),
        FieldPanel("date"),
        FieldPanel("description"),
        FieldPanel("document"),
        FieldPanel("cover"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("numéro")
