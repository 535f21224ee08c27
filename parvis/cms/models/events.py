import datetime as dt

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from ..blocks import BodyBlock
from .base import BasePage
from .categories import EventCategory

EVENTS_PER_PAGE = 20


class EventPageQuerySet(PageQuerySet):
    def upcoming(self, at=None):
        at = at or timezone.now()
        return (
            self.live()
            .public()
            .filter(Q(end__gte=at) | Q(end__isnull=True, start__gte=at - dt.timedelta(hours=12)))
            .select_related("category", "image", "listing_image")
            .order_by("start", "pk")
        )


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


class EventIndexPage(RoutablePageMixin, BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.EventPage"]
    template = "cms/event_index_page.html"

    class Meta:
        verbose_name = _("agenda")

    def events(self):
        return EventPage.objects.descendant_of(self).upcoming()

    @path("")
    def index_route(self, request):
        items = self.events()
        category = None
        month = None
        slug = request.GET.get("categorie")
        if slug:
            category = EventCategory.objects.filter(slug=slug).first()
            if category:
                items = items.filter(category=category)
        month_value = request.GET.get("mois", "")
        if month_value:
            try:
                month = dt.datetime.strptime(month_value, "%Y-%m").date()
            except ValueError:
                month = None
            if month:
                start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
                next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                end = timezone.make_aware(dt.datetime.combine(next_month, dt.time.min))
                items = (
                    EventPage.objects.descendant_of(self)
                    .live()
                    .public()
                    .filter(start__lt=end)
                    .filter(Q(end__gte=start) | Q(end__isnull=True, start__gte=start))
                )
                items = items.select_related("category", "image", "listing_image").order_by(
                    "start", "pk"
                )
                if category:
                    items = items.filter(category=category)
        page = Paginator(items, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        months = []
        first = today.replace(day=1)
        for _i in range(12):
            months.append(first)
            first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return self.render(
            request,
            context_overrides={
                "events_page": page,
                "categories": EventCategory.objects.all(),
                "current_category": category,
                "current_month": month,
                "months": months,
                "month_error": bool(month_value and month is None),
            },
        )

    @path("ics/", name="ical")
    def ical_route(self, request):
        from ..ical import events_calendar

        body = events_calendar(self.events()[:500], request=request, name=self.title)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="agenda.ics"'
        return response


class EventPage(RoutablePageMixin, BasePage):
    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"), null=True, blank=True, db_index=True)
    all_day = models.BooleanField(_("toute la journée"), default=False)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    price = models.CharField(
        _("tarif"), max_length=120, blank=True, help_text=_("Par exemple « Gratuit » ou « 5 € »")
    )
    registration_url = models.URLField(_("lien d'inscription"), blank=True)
    category = models.ForeignKey(
        EventCategory,
        verbose_name=_("catégorie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("contenu"), blank=True)

    objects = EventPageManager()

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("all_day")],
            heading=_("Dates"),
        ),
        FieldPanel("location"),
        FieldPanel("price"),
        FieldPanel("registration_url"),
        FieldPanel("category"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    promote_panels = [
        p for p in BasePage.promote_panels if getattr(p, "field_name", "") != "summary"
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("body"),
        index.SearchField("location"),
        index.FilterField("start"),
    ]
    parent_page_types = ["cms.EventIndexPage"]
    subpage_types = []
    template = "cms/event_page.html"

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("La fin doit être après le début.")})

    @property
    def share_image(self):
        return self.listing_image or self.image

    @property
    def effective_end(self):
        if self.end:
            return self.end
        return self.start + (dt.timedelta(days=1) if self.all_day else dt.timedelta(hours=2))

    @path("")
    def index_route(self, request):
        return self.render(request)

    @path("ics/", name="ical")
    def ical_route(self, request):
        from ..ical import events_calendar

        body = events_calendar([self], request=request, name=self.title)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.slug}.ics"'
        return response
