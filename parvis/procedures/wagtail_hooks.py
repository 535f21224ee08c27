"""The « Démarches » menu of the admin: the agents' inbox (requests of their services)
and the procedure definitions (forms, workflow, publication)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .admin_views import detail, inbox
from .admin_views.access import VIEW_PROCEDURE, VIEW_REQUEST
from .admin_views.procedures import ProcedureViewSet

procedure_viewset = ProcedureViewSet(
    "procedures_admin_procedure", url_prefix="demarches/formulaires"
)

admin_urlpatterns = [
    path("demandes/", inbox.inbox, name="inbox"),
    path("demandes/export.csv", inbox.export, name="export"),
    path("demandes/attribuer/", inbox.bulk_assign, name="bulk_assign"),
    path("demandes/<int:pk>/", detail.request_detail, name="detail"),
]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class _ProceduresMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_REQUEST) or request.user.has_perm(VIEW_PROCEDURE)


@hooks.register("register_admin_viewset")
def register_procedure_viewset():
    return procedure_viewset


@hooks.register("register_admin_urls")
def register_procedures_urls():
    return [path("demarches/", include((admin_urlpatterns, "procedures_admin")))]


@hooks.register("register_admin_menu_item")
def register_procedures_menu():
    submenu = Menu(
        items=[
            _PermissionMenuItem(
                gettext_lazy("Demandes reçues"),
                reverse("procedures_admin:inbox"),
                icon_name="tasks",
                order=10,
                permission=VIEW_REQUEST,
            ),
            _PermissionMenuItem(
                gettext_lazy("Formulaires des démarches"),
                reverse("procedures_admin_procedure:index"),
                icon_name="form",
                order=20,
                permission=VIEW_PROCEDURE,
            ),
        ]
    )
    return _ProceduresMenuItem(gettext_lazy("Démarches"), submenu, icon_name="form", order=230)
