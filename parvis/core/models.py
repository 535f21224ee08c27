from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable
from wagtail.search import index

from .hours import validate_opening_hours
from .widgets import OpeningHoursWidget

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Indiquez une couleur au format #RRGGBB, par exemple #0b5d8c.")
)


@register_setting(icon="home")
class CommuneSettings(BaseGenericSetting):
    """The commune's identity, shown in the header, footer, contact blocks and JSON-LD."""

    name = models.CharField(_("nom de la commune"), max_length=120, default="Gréasque")
    insee_code = models.CharField(
        _("code INSEE"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[0-9][0-9AB][0-9]{3}$", _("Un code INSEE a 5 caractères."))],
    )
    tagline = models.CharField(_("accroche"), max_length=200, blank=True)
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=120, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    town_hall_hours = models.CharField(
        _("horaires de la mairie"),
        max_length=255,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_(
            "Syntaxe OpenStreetMap, par exemple « Mo-Fr 08:30-12:00,13:30-17:00; PH off »."
        ),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("couleur principale"), max_length=7, default="#0b5d8c", validators=[colour_validator]
    )
    accent_colour = models.CharField(
        _("couleur d'accent"), max_length=7, default="#a4461b", validators=[colour_validator]
    )
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    youtube_url = models.URLField(_("YouTube"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    mastodon_url = models.URLField(_("Mastodon"), blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("insee_code"),
                FieldPanel("tagline"),
                FieldPanel("logo"),
            ],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("street"),
                FieldPanel("postcode"),
                FieldPanel("city"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("town_hall_hours", widget=OpeningHoursWidget),
                FieldPanel("latitude"),
                FieldPanel("longitude"),
            ],
            heading=_("Mairie"),
        ),
        MultiFieldPanel(
            [FieldPanel("primary_colour"), FieldPanel("accent_colour")], heading=_("Couleurs")
        ),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("youtube_url"),
                FieldPanel("linkedin_url"),
                FieldPanel("mastodon_url"),
            ],
            heading=_("Réseaux sociaux"),
        ),
    ]

    select_related = ["logo"]

    class Meta:
        verbose_name = _("identité de la commune")

    @property
    def social_links(self):
        pairs = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("YouTube", self.youtube_url),
            ("LinkedIn", self.linkedin_url),
            ("Mastodon", self.mastodon_url),
        ]
        return [(label, url) for label, url in pairs if url]


class LinkFields(models.Model):
    """A link to a page of the site or to an address."""

    label = models.CharField(_("libellé"), max_length=80)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.CharField(_("adresse (si pas de page)"), max_length=255, blank=True)

    panels = [FieldPanel("label"), FieldPanel("link_page"), FieldPanel("link_url")]

    class Meta:
        abstract = True

    @property
    def url(self):
        if self.link_page_id:
            return self.link_page.url
        return self.link_url or "#"


@register_setting(icon="list-ul")
class MainMenu(ClusterableModel, BaseGenericSetting):
    panels = [InlinePanel("items", label=_("entrée du menu"), heading=_("Entrées du menu"))]

    class Meta:
        verbose_name = _("menu principal")


class MainMenuItem(Orderable, LinkFields):
    menu = ParentalKey(MainMenu, related_name="items", on_delete=models.CASCADE)
    show_children = models.BooleanField(
        _("afficher les sous-pages"),
        default=True,
        help_text=_("Ouvre un sous-menu avec les pages enfants publiées."),
    )

    panels = LinkFields.panels + [FieldPanel("show_children")]

    def __str__(self):
        return self.label


@register_setting(icon="doc-full")
class Footer(ClusterableModel, BaseGenericSetting):
    text = models.TextField(_("texte"), blank=True)

    panels = [FieldPanel("text"), InlinePanel("links", label=_("lien"), heading=_("Liens"))]

    class Meta:
        verbose_name = _("pied de page")


class FooterLink(Orderable, LinkFields):
    footer = ParentalKey(Footer, related_name="links", on_delete=models.CASCADE)

    def __str__(self):
        return self.label


class AlertQuerySet(models.QuerySet):
    def current(self, at=None):
        at = at or timezone.now()
        return self.filter(
            Q(starts_at__lte=at) & (Q(ends_at__isnull=True) | Q(ends_at__gt=at)), is_active=True
        ).order_by("-level", "-starts_at")


class Alert(index.Indexed, models.Model):
    """The banner at the top of every page: fire risk, storm, water cut…"""

    class Level(models.IntegerChoices):
        INFO = 1, _("Information")
        WARNING = 2, _("Vigilance")
        DANGER = 3, _("Alerte")

    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level, default=Level.INFO)
    title = models.CharField(_("titre"), max_length=120)
    message = models.TextField(_("message"), max_length=500)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page d'information"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("début"), default=timezone.now)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AlertQuerySet.as_manager()

    panels = [
        FieldPanel("level"),
        FieldPanel("title"),
        FieldPanel("message"),
        FieldPanel("link_page"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
        FieldPanel("is_active"),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("message")]

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["is_active", "starts_at", "ends_at"])]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("La fin doit être après le début.")})

    @property
    def css_level(self):
        return {1: "info", 2: "warning", 3: "danger"}[self.level]


class AuditLogEntry(models.Model):
    """Append-only record of a change made by a person (or by the system when actor is null)."""

    timestamp = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur (texte)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=200, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-timestamp"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class Service(models.Model):
    """A municipal service (état civil, enfance-jeunesse, sports, services techniques…).

    Agendas (bookings) and procedures belong to a service. A staff member works for a
    service when they belong to one of its ``groups``; they see and handle only the
    agendas and requests of their services (superusers see all). See
    :func:`parvis.core.services_access.services_for_user`.
    """

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    email = models.EmailField(
        _("adresse e-mail du service"),
        blank=True,
        help_text=_("Reçoit les alertes du service (nouvelle demande, paiement à rembourser…)."),
    )
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    groups = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("groupes d'agents"),
        blank=True,
        related_name="municipal_services",
        help_text=_("Les membres de ces groupes travaillent pour ce service."),
    )

    class Meta:
        verbose_name = _("service municipal")
        verbose_name_plural = _("services municipaux")
        ordering = ["name"]

    def __str__(self):
        return self.name
