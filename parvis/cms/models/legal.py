from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES
from .base import BasePage


class LegalPage(BasePage):
    """Mentions légales, privacy policy, terms: plain rich text, dated."""

    body = RichTextField(_("contenu"), features=RICH_TEXT_FEATURES)
    updated_on = models.DateField(_("mis à jour le"), null=True, blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("updated_on"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]
    subpage_types = []
    template = "cms/legal_page.html"

    class Meta:
        verbose_name = _("page légale")
        verbose_name_plural = _("pages légales")


class AccessibilityStatementPage(BasePage):
    """The accessibility statement that RGAA 4.1 requires, with its compliance status."""

    class Status(models.TextChoices):
        TOTAL = "total", _("totalement conforme")
        PARTIAL = "partial", _("partiellement conforme")
        NONE = "none", _("non conforme")

    entity = models.CharField(_("entité"), max_length=200, default="Mairie de Gréasque")
    status = models.CharField(
        _("état de conformité"), max_length=10, choices=Status, default=Status.PARTIAL
    )
    compliance_rate = models.DecimalField(
        _("taux de conformité (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    audit_date = models.DateField(_("date de l'audit"), null=True, blank=True)
    audit_by = models.CharField(_("audit réalisé par"), max_length=200, blank=True)
    non_compliant = RichTextField(
        _("contenus non accessibles"), blank=True, features=RICH_TEXT_FEATURES
    )
    technologies = models.CharField(
        _("technologies utilisées"), max_length=200, default="HTML5, CSS, JavaScript"
    )
    body = RichTextField(_("compléments"), blank=True, features=RICH_TEXT_FEATURES)
    contact_email = models.EmailField(_("contact accessibilité"), blank=True)
    multi_year_plan = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("schéma pluriannuel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("entity"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("compliance_rate"),
                FieldPanel("audit_date"),
                FieldPanel("audit_by"),
            ],
            heading=_("Conformité RGAA 4.1"),
        ),
        FieldPanel("non_compliant"),
        FieldPanel("technologies"),
        FieldPanel("contact_email"),
        FieldPanel("multi_year_plan"),
        FieldPanel("body"),
    ]
    subpage_types = []
    max_count = 1
    template = "cms/accessibility_statement_page.html"

    class Meta:
        verbose_name = _("déclaration d'accessibilité")


class SitemapPage(BasePage):
    """The human-readable site map (plan du site)."""

    subpage_types = []
    max_count = 1
    template = "cms/sitemap_page.html"

    class Meta:
        verbose_name = _("plan du site")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        root = self.get_site().root_page
        from .council import CouncilMeetingPage
        from .events import EventPage
        from .news import NewsPage

        pages = list(
            Page.objects.live()
            .public()
            .descendant_of(root, inclusive=False)
            .filter(depth__lte=root.depth + 2)
            .not_type(NewsPage, EventPage, CouncilMeetingPage)
            .order_by("path")
        )
        context["sitemap_root"] = root
        context["sitemap_pages"] = pages
        context["sitemap_base_depth"] = root.depth
        return context
