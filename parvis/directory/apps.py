from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "parvis.directory"
    label = "directory"
    verbose_name = _("Annuaire")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parvis.accounts import space

        from . import retention  # noqa: F401  (registers the RGPD sources)
        from .views_account import space_context

        space.register(
            space.Section(
                key="directory",
                title=_("Mes fiches et demandes"),
                template="directory/account/space_section.html",
                context=space_context,
                order=40,
            )
        )
