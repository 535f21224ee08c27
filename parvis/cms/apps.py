from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "parvis.cms"
    label = "cms"
    verbose_name = _("Site")

    def ready(self):
        from .retention import register_sources

        register_sources()
