from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "parvis.core"
    label = "core"
    verbose_name = _("Commune")

    def ready(self):
        from . import cache  # noqa: F401  (connects the page-cache invalidation)
