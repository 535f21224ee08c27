from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="site")
class DirectorySettings(BaseGenericSetting):
    """Which place is the town hall: its hours feed the home page and the footer."""

    town_hall = models.ForeignKey(
        "directory.Place",
        verbose_name=_("mairie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("La fiche de l'annuaire dont les horaires s'affichent en page d'accueil."),
    )

    panels = [FieldPanel("town_hall")]

    class Meta:
        verbose_name = _("annuaire")
