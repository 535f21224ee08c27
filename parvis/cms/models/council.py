import datetime as dt

from django.contrib.contenttypes.fields import GenericRelation
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, RevisionMixin
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES
from .base import BasePage

ACTS_PER_PAGE = 25


class CouncilIndexPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.CouncilMeetingPage"]
    template = "cms/council_index_page.html"

    class Meta:
        verbose_name = _("conseils municipaux")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        meetings = CouncilMeetingPage.objects.live().public().descendant_of(self).order_by("-date")
        now = timezone.now()
        context["upcoming_meetings"] = meetings.filter(date__gte=now).order_by("date")
        context["past_meetings"] = Paginator(meetings.filter(date__lt=now), 20).get_page(
            request.GET.get("page")
        )
        return context


class CouncilMeetingPage(BasePage):
    date = models.DateTimeField(_("date et heure"), db_index=True)
    place = models.CharField(_("lieu"), max_length=200, default="Salle du conseil, mairie")
    agenda = RichTextField(_("ordre du jour"), blank=True, features=RICH_TEXT_FEATURES)
    agenda_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("convocation et ordre du jour (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minutes_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("procès-verbal (PDF)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recording_url = models.URLField(_("lien vers l'enregistrement"), blank=True)

    content_panels = BasePage.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("place")]),
        FieldPanel("summary"),
        FieldPanel("agenda"),
        FieldPanel("agenda_document"),
        FieldPanel("minutes_document"),
        FieldPanel("recording_url"),
    ]
    promote_panels = [
        p for p in BasePage.promote_panels if getattr(p, "field_name", "") != "summary"
    ]
    search_fields = BasePage.search_fields + [index.SearchField("agenda")]
    parent_page_types = ["cms.CouncilIndexPage"]
    subpage_types = []
    template = "cms/council_meeting_page.html"

    class Meta:
        verbose_name = _("séance du conseil municipal")
        verbose_name_plural = _("séances du conseil municipal")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["acts"] = (
            Act.objects.published().filter(meeting=self).select_related("signed_document")
        )
        return context


class ActQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True, first_published_at__isnull=False).order_by("-date", "-number")


class Act(DraftStateMixin, RevisionMixin, index.Indexed, models.Model):
    """An act of the commune: deliberation of the council, mayor's order, decision.

    Invariant: once published, an act is never edited, unpublished or deleted; a mistake
    is corrected by publishing a new act that ``supersedes`` it (see ``ActPermissionPolicy``
    and ``services.act_update``).
    """

    class Type(models.TextChoices):
        DELIBERATION = "deliberation", _("Délibération")
        ARRETE = "arrete", _("Arrêté")
        DECISION = "decision", _("Décision")

    act_type = models.CharField(_("type"), max_length=20, choices=Type, db_index=True)
    number = models.CharField(
        _("numéro"), max_length=30, help_text=_("Par exemple 2026-041 ou AM-2026-112.")
    )
    date = models.DateField(_("date de l'acte"), db_index=True)
    subject = models.CharField(_("objet"), max_length=300)
    summary = models.TextField(_("résumé"), blank=True)
    signed_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("acte signé (PDF)"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    meeting = models.ForeignKey(
        CouncilMeetingPage,
        verbose_name=_("séance du conseil"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("corrige l'acte"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text=_("Un acte publié ne se modifie pas : publiez un acte rectificatif."),
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="act")

    objects = ActQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("act_type"), FieldPanel("number"), FieldPanel("date")]),
        FieldPanel("subject"),
        FieldPanel("summary"),
        FieldPanel("signed_document"),
        MultiFieldPanel([FieldPanel("meeting"), FieldPanel("supersedes")], heading=_("Liens")),
    ]
    search_fields = [
        index.SearchField("subject"),
        index.SearchField("summary"),
        index.SearchField("number"),
        index.FilterField("act_type"),
        index.FilterField("date"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("acte")
        verbose_name_plural = _("actes")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["act_type", "number"], name="unique_act_number")
        ]
        indexes = [models.Index(fields=["live", "act_type", "date"])]

    def __str__(self):
        return f"{self.get_act_type_display()} n° {self.number} — {self.subject}"

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_locked(self) -> bool:
        return self.first_published_at is not None

    @property
    def publication_date(self):
        return self.first_published_at

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.supersedes_id and self.supersedes_id == self.pk:
            errors["supersedes"] = _("Un acte ne peut pas se corriger lui-même.")
        if self.meeting_id and self.act_type != self.Type.DELIBERATION:
            errors["meeting"] = _("Seule une délibération est rattachée à une séance.")
        if errors:
            raise ValidationError(errors)


class ActsRegisterPage(BasePage):
    """The public register of acts, searchable by type, year and words."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    subpage_types = []
    max_count = 1
    template = "cms/acts_register_page.html"

    class Meta:
        verbose_name = _("registre des actes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        acts = (
            Act.objects.published()
            .select_related("signed_document", "supersedes", "meeting")
            .prefetch_related("superseded_by")
        )
        act_type = request.GET.get("type", "")
        if act_type in Act.Type.values:
            acts = acts.filter(act_type=act_type)
        else:
            act_type = ""
        year = request.GET.get("annee", "")
        if year.isdigit() and len(year) == 4:
            acts = acts.filter(date__year=int(year))
        else:
            year = ""
        query = request.GET.get("q", "").strip()[:100]
        if query:
            acts = acts.filter(
                Q(subject__icontains=query)
                | Q(number__icontains=query)
                | Q(summary__icontains=query)
            )
        years = sorted(
            {d.year for d in Act.objects.published().dates("date", "year")}, reverse=True
        ) or [dt.date.today().year]
        context.update(
            {
                "acts_page": Paginator(acts, ACTS_PER_PAGE).get_page(request.GET.get("page")),
                "act_types": Act.Type.choices,
                "years": years,
                "current_type": act_type,
                "current_year": year,
                "query": query,
            }
        )
        return context
