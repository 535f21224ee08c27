from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet


class Category(models.Model):
    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


@register_snippet
class NewsCategory(Category):
    class Meta(Category.Meta):
        verbose_name = _("catégorie d'actualité")
        verbose_name_plural = _("catégories d'actualités")


@register_snippet
class EventCategory(Category):
    class Meta(Category.Meta):
        verbose_name = _("catégorie d'événement")
        verbose_name_plural = _("catégories d'événements")
