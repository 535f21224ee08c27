from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .hours_admin import admin_urls as hours_admin_urls
from .models import Alert, AuditLogEntry


class AlertViewSet(SnippetViewSet):
    model = Alert
    icon = "warning"
    menu_label = _("Alertes")
    add_to_admin_menu = True
    menu_order = 200
    list_display = ["title", "level", "starts_at", "ends_at", "is_active"]
    list_filter = ["level", "is_active"]


register_snippet(AlertViewSet)


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The audit log is append-only: nobody adds, edits or deletes entries by hand."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(AuditLogEntry, ReadOnlyPermissionPolicy(AuditLogEntry))


class AuditLogViewSet(ModelViewSet):
    model = AuditLogEntry
    icon = "history"
    menu_label = _("Journal d'audit")
    add_to_settings_menu = True
    inspect_view_enabled = True
    list_display = ["timestamp", "actor_label", "action", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "action"]
    form_fields = ["action"]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_audit_log():
    return AuditLogViewSet("audit_log")


@hooks.register("register_admin_urls")
def register_hours_admin_urls():
    return hours_admin_urls()
