from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from ..blocks import BodyBlock
from .base import BasePage
from .categories import NewsCategory

NEWS_PER_PAGE = 12


class NewsIndexPage(RoutablePageMixin, BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.NewsPage"]
    template = "cms/news_index_page.html"

    class Meta:
        verbose_name = _("liste des actualités")

    def news(self):
        return (
            NewsPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("category", "image", "listing_image")
            .order_by("-date", "-pk")
        )

    @path("")
    def index_route(self, request):
        items = self.news()
        category = None
        slug = request.GET.get("categorie")
        if slug:
            category = NewsCategory.objects.filter(slug=slug).first()
            if category:
                items = items.filter(category=category)
        page = Paginator(items, NEWS_PER_PAGE).get_page(request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "news_page": page,
                "categories": NewsCategory.objects.all(),
                "current_category": category,
            },
        )

    @path("rss/", name="rss")
    def rss_route(self, request):
        from ..feeds import NewsFeed

        return NewsFeed(self)(request)


class NewsPage(BasePage):
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    category = models.ForeignKey(
        NewsCategory,
        verbose_name=_("catégorie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image principale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Le texte alternatif est celui de l'image dans la médiathèque (« description »)."
        ),
    )
    body = StreamField(BodyBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldPanel("date"),
        FieldPanel("category"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
        InlinePanel("related_links", label=_("contenu lié"), heading=_("Contenus liés")),
    ]
    promote_panels = [
        p for p in BasePage.promote_panels if getattr(p, "field_name", "") != "summary"
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    template = "cms/news_page.html"

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")

    @property
    def share_image(self):
        return self.listing_image or self.image

    def related_pages(self):
        """Live pages linked as related content, in editor order (one query)."""
        links = self.related_links.select_related("page").order_by("sort_order")
        return [link.page for link in links if link.page is not None and link.page.live]


class NewsPageRelatedLink(Orderable):
    source = ParentalKey(NewsPage, related_name="related_links", on_delete=models.CASCADE)
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("page")]
