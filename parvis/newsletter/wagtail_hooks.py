"""The « Diffusion » menu of the admin: campaigns, contacts, topics, neighbourhoods, lists,
SMS quota, contact import and urgent alerts."""

from __future__ import annotations

from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin_campaigns import CampaignViewSet
from .admin_diffusion import (
    ALERT_PERMISSIONS,
    ContactViewSet,
    MailingListViewSet,
    NeighbourhoodViewSet,
    TopicViewSet,
    alert_publish_view,
    sms_quota,
)

IMPORT_URL_NAME = "newsletter_import"


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request):
        return request.user.has_perms(self.permissions)


class _LazyUrlMenuItem(_PermissionMenuItem):
    """A menu item to a URL another module registers; hidden while it does not exist."""

    def __init__(self, label, url_name, **kwargs):
        super().__init__(label, "#", **kwargs)
        self.url_name = url_name

    def is_shown(self, request):
        try:
            self.url = reverse(self.url_name)
        except NoReverseMatch:
            return False
        return super().is_shown(request)


class DiffusionGroup(ViewSetGroup):
    menu_label = gettext_lazy("Diffusion")
    menu_icon = "mail"
    menu_order = 240
    items = (
        CampaignViewSet("newsletter_admin_campaign", url_prefix="diffusion/campagnes"),
        ContactViewSet("newsletter_admin_contact", url_prefix="diffusion/contacts"),
        TopicViewSet("newsletter_admin_topic", url_prefix="diffusion/themes"),
        NeighbourhoodViewSet("newsletter_admin_neighbourhood", url_prefix="diffusion/quartiers"),
        MailingListViewSet("newsletter_admin_list", url_prefix="diffusion/listes"),
    )


@hooks.register("register_admin_viewset")
def register_diffusion_viewsets():
    return DiffusionGroup()


@hooks.register("register_admin_urls")
def register_diffusion_urls():
    return [
        path("diffusion/quota-sms/", sms_quota, name="newsletter_admin_quota"),
        path("diffusion/alerte/", alert_publish_view, name="newsletter_admin_alert"),
    ]


@hooks.register("register_admin_menu_item")
def register_quota_menu():
    return _PermissionMenuItem(
        gettext_lazy("Quota SMS"),
        reverse("newsletter_admin_quota"),
        icon_name="mail",
        order=241,
        permissions=("newsletter.view_smsquotamonth",),
    )


@hooks.register("register_admin_menu_item")
def register_alert_menu():
    return _PermissionMenuItem(
        gettext_lazy("Publier une alerte"),
        reverse("newsletter_admin_alert"),
        icon_name="warning",
        order=242,
        permissions=ALERT_PERMISSIONS,
    )


@hooks.register("register_admin_menu_item")
def register_import_menu():
    return _LazyUrlMenuItem(
        gettext_lazy("Importer des contacts"),
        IMPORT_URL_NAME,
        icon_name="upload",
        order=243,
        permissions=("newsletter.add_contact",),
    )
