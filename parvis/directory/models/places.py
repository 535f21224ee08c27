"""Places of the directory: facilities, municipal services, associations, businesses.

A place is the one register of public data: the directory, the map, the API, the open
data files, the booking engine (a court is a place) and the home page's town-hall card
all read it. Writes go through :mod:`parvis.directory.services`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from parvis.core import hours
from parvis.core.hours import validate_opening_hours

siret_validator = RegexValidator(r"^[0-9]{14}$", _("Un numéro SIRET a 14 chiffres, sans espace."))
rna_validator = RegexValidator(
    r"^W[0-9A-Z][0-9]{8}$", _("Un numéro RNA commence par W suivi de 9 caractères (W131001234).")
)
insee_validator = RegexValidator(
    r"^[0-9][0-9AB][0-9]{3}$", _("Un code INSEE a 5 caractères (13046 pour Gréasque).")
)


def sort_key(name: str) -> str:
    """The key places are sorted by: case and accents folded, so that « Épicerie » sits
    among the E and not after Z (databases compare bytes)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))[:200]


postcode_validator = RegexValidator(r"^[0-9]{5}$", _("Un code postal a 5 chiffres."))


class PlaceKind(models.TextChoices):
    FACILITY = "facility", _("Équipement public")
    SERVICE = "service", _("Service municipal")
    ASSOCIATION = "association", _("Association")
    BUSINESS = "business", _("Commerce et entreprise")
    HEALTH = "health", _("Santé")
    TOURISM = "tourism", _("Tourisme")


class PlaceStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    ARCHIVED = "archived", _("Archivé")


class Wheelchair(models.TextChoices):
    UNKNOWN = "", _("Non renseigné")
    YES = "yes", _("Accessible en fauteuil roulant")
    LIMITED = "limited", _("Accès partiel en fauteuil roulant")
    NO = "no", _("Non accessible en fauteuil roulant")


class EquipmentTheme(models.TextChoices):
    """Themes of the SCDL « équipements collectifs publics » nomenclature."""

    ADMIN = "Equipement administratif", _("Équipement administratif")
    JUSTICE = "Equipement de justice", _("Équipement de justice")
    HEALTH = "Equipement sanitaire", _("Équipement sanitaire")
    SOCIAL = "Equipement social et d'animation", _("Équipement social et d'animation")
    SPORT = "Equipement sportif et de loisirs", _("Équipement sportif et de loisirs")
    EDUCATION = "Equipement d'enseignement", _("Équipement d'enseignement")
    WORSHIP = "Equipement cultuel", _("Équipement cultuel")
    CULTURE = "Equipement culturel", _("Équipement culturel")
    MOBILITY = "Equipement de mobilité", _("Équipement de mobilité")
    OTHER = "Autre équipement", _("Autre équipement")


class Category(models.Model):
    """A category of the directory; categories nest (Sport › Tennis)."""

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("catégorie parente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))

    def descendant_ids(self) -> set[int]:
        """This category and every category below it (one query per level)."""
        ids = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = set(
                Category.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)
            )
            ids |= frontier
        return ids


class PlaceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PlaceStatus.PUBLISHED)

    def to_verify(self, *, today: dt.date | None = None):
        """Published places not checked for 12 months (or never)."""
        today = today or timezone.localdate()
        limit = today - dt.timedelta(days=365)
        return self.published().filter(Q(last_verified__isnull=True) | Q(last_verified__lt=limit))


class Place(index.Indexed, ClusterableModel):
    kind = models.CharField(_("type"), max_length=20, choices=PlaceKind.choices, db_index=True)
    categories = ParentalManyToManyField(
        Category, verbose_name=_("catégories"), blank=True, related_name="places"
    )
    name = models.CharField(_("nom"), max_length=200)
    sort_name = models.CharField(max_length=200, editable=False, default="", db_index=True)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=200, unique=True)
    reference = models.CharField(
        _("identifiant"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifiant stable utilisé par l'import et l'export (par exemple EQ-001)."),
    )
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = RichTextField(
        _("description"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h3"]
    )

    street_number = models.CharField(_("numéro"), max_length=20, blank=True)
    street = models.CharField(_("voie"), max_length=200, blank=True)
    postcode = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[postcode_validator]
    )
    city = models.CharField(_("commune"), max_length=120, blank=True)
    insee_code = models.CharField(
        _("code INSEE"), max_length=5, blank=True, validators=[insee_validator]
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("site web"), blank=True)

    wheelchair = models.CharField(
        _("accès en fauteuil roulant"),
        max_length=10,
        choices=Wheelchair.choices,
        blank=True,
        default=Wheelchair.UNKNOWN,
        db_index=True,
    )
    accessibility_notes = models.TextField(_("informations d'accessibilité"), blank=True)

    siret = models.CharField(
        _("SIRET"), max_length=14, unique=True, null=True, blank=True, validators=[siret_validator]
    )
    rna = models.CharField(
        _("numéro RNA"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[rna_validator],
    )

    opening_hours = models.CharField(
        _("horaires d'ouverture"),
        max_length=500,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_(
            "Syntaxe OpenStreetMap, par exemple « Mo-Fr 08:30-12:00,13:30-17:00; PH off »."
        ),
    )
    hours_note = models.CharField(_("précision sur les horaires"), max_length=200, blank=True)

    # Open data (SCDL « équipements collectifs publics »), for public facilities.
    equipment_theme = models.CharField(
        _("thème d'équipement (SCDL)"), max_length=60, blank=True, choices=EquipmentTheme.choices
    )
    equipment_code = models.CharField(
        _("code d'équipement (SCDL)"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{8}-[0-9]{3}$", _("Format attendu : 01010401-001."))],
    )
    equipment_type = models.CharField(_("type d'équipement (SCDL)"), max_length=120, blank=True)
    erp_type = models.CharField(_("type d'ERP"), max_length=10, blank=True)
    erp_category = models.PositiveSmallIntegerField(
        _("catégorie d'ERP"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    # Private: for the town hall only, never published.
    contact_name = models.CharField(_("contact (privé)"), max_length=120, blank=True)
    contact_email = models.EmailField(_("e-mail du contact (privé)"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact (privé)"), max_length=30, blank=True)

    status = models.CharField(
        _("état"),
        max_length=10,
        choices=PlaceStatus.choices,
        default=PlaceStatus.DRAFT,
        db_index=True,
    )
    last_verified = models.DateField(_("vérifié le"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("représentants"),
        blank=True,
        related_name="represented_places",
    )

    objects = PlaceQuerySet.as_manager()

    search_fields = [
        index.SearchField("name", boost=5),
        index.AutocompleteField("name"),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.SearchField("street"),
        index.FilterField("kind"),
        index.FilterField("status"),
        index.FilterField("wheelchair"),
        index.RelatedFields("categories", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["sort_name", "pk"]
        indexes = [
            models.Index(fields=["status", "kind", "name"], name="directory_place_status_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A derived column kept with its source; code that uses bulk_create sets it itself.
        self.sort_name = sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("directory:place", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == PlaceStatus.PUBLISHED

    @property
    def address_line(self) -> str:
        return " ".join(part for part in (self.street_number, self.street) if part)

    @property
    def full_address(self) -> str:
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.address_line, town) if part)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def hours_exceptions(self) -> list[hours.HoursException]:
        """Dated exceptions as the hours engine wants them (uses the prefetch cache)."""
        return [exception.as_hours_exception() for exception in self.exceptions.all()]

    def is_open(self, at: dt.datetime) -> bool:
        return hours.is_open(self.opening_hours, at, exceptions=self.hours_exceptions())


class PlacePhoto(Orderable):
    place = ParentalKey(Place, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("légende"), max_length=200, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class SocialNetwork(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    MASTODON = "mastodon", "Mastodon"
    LINKEDIN = "linkedin", "LinkedIn"
    YOUTUBE = "youtube", "YouTube"
    OTHER = "other", _("Autre")


class PlaceLink(Orderable):
    place = ParentalKey(Place, on_delete=models.CASCADE, related_name="social_links")
    network = models.CharField(_("réseau"), max_length=20, choices=SocialNetwork.choices)
    url = models.URLField(_("adresse"))

    class Meta(Orderable.Meta):
        verbose_name = _("réseau social")
        verbose_name_plural = _("réseaux sociaux")


class PlaceException(Orderable):
    """A dated exception to a place's usual hours: closed from … to …, or special hours."""

    place = ParentalKey(Place, on_delete=models.CASCADE, related_name="exceptions")
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"))
    opening_hours = models.CharField(
        _("horaires ce(s) jour(s)"),
        max_length=200,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_("Laissez vide pour « fermé ». Exemple : « 09:00-12:00 »."),
    )
    label = models.CharField(_("motif"), max_length=120, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("fermeture ou horaires exceptionnels")
        verbose_name_plural = _("fermetures et horaires exceptionnels")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="directory_exception_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.label or str(self.start_date)

    @property
    def is_closure(self) -> bool:
        return not self.opening_hours

    def as_hours_exception(self) -> hours.HoursException:
        return hours.HoursException(
            start=self.start_date,
            end=self.end_date,
            opening_hours=self.opening_hours,
            label=self.label,
        )
