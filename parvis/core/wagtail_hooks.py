from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Alert


class AlertViewSet(SnippetViewSet):
    model = Alert
    icon = "warning"
    menu_label = _("Alertes")
    add_to_admin_menu = True
    menu_order = 200
    list_display = ["title", "level", "starts_at", "ends_at", "is_active"]
    list_filter = ["level", "is_active"]


register_snippet(AlertViewSet)
