"""The rest of the « Diffusion » admin menu: contacts (read-only, with the consent ledger),
topics, neighbourhoods, manual lists, the SMS quota and « Publier une alerte »."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .forms_admin import AlertForm
from .models import Contact, MailingList, Neighbourhood, SmsQuotaMonth, Topic
from .services.alerts import AlertSmsRefused, alert_preview, alert_publish
from .services.campaigns import APPROVE_PERMISSION, quota_now

ALERT_PERMISSIONS = (APPROVE_PERMISSION, "core.add_alert")


class ReadOnlyContactPolicy(ModelPermissionPolicy):
    """Contacts and their consents change through the consent services only (public
    forms, import with a legal basis): the admin reads them."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Contact, ReadOnlyContactPolicy(Contact))


class ContactInspectView(InspectView):
    template_name = "newsletter/admin/contact_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact = self.object
        context["subscriptions"] = list(
            contact.subscriptions.select_related("topic").order_by("channel", "topic__position")
        )
        context["events"] = list(
            contact.consent_events.select_related("topic", "actor").order_by("at", "pk")
        )
        return context


class ContactViewSet(ModelViewSet):
    model = Contact
    icon = "user"
    menu_label = gettext_lazy("Contacts")
    inspect_view_class = ContactInspectView
    inspect_view_enabled = True
    list_display = ["__str__", "email", "phone", "neighbourhood", "email_state", "sms_state"]
    list_filter = ["email_state", "sms_state", "neighbourhood"]
    search_fields = ["first_name", "last_name", "email", "phone", "street"]
    inspect_view_fields = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "street",
        "neighbourhood",
        "email_state",
        "sms_state",
        "source",
        "created_at",
    ]
    form_fields = ["first_name", "last_name"]
    copy_view_enabled = False


class TopicViewSet(ModelViewSet):
    model = Topic
    icon = "tag"
    menu_label = gettext_lazy("Thèmes")
    list_display = ["name", "slug", "is_alert", "is_active", "position"]
    form_fields = ["name", "slug", "description", "is_alert", "is_active", "position"]
    copy_view_enabled = False


class NeighbourhoodViewSet(ModelViewSet):
    model = Neighbourhood
    icon = "site"
    menu_label = gettext_lazy("Quartiers")
    list_display = ["name", "slug"]
    form_fields = ["name", "slug", "streets"]
    copy_view_enabled = False


class MailingListViewSet(ModelViewSet):
    model = MailingList
    icon = "list-ul"
    menu_label = gettext_lazy("Listes")
    list_display = ["name", "description"]
    form_fields = ["name", "description", "contacts"]
    copy_view_enabled = False


def quota_state(used: int, limit: int) -> tuple[int, str]:
    """(percent, "ok" | "warning" (≥ 80 %) | "full" (100 %))."""
    percent = round(100 * used / limit) if limit else 100
    state = "full" if used >= limit else "warning" if percent >= 80 else "ok"
    return percent, state


def sms_quota(request):
    if not request.user.has_perm("newsletter.view_smsquotamonth"):
        raise PermissionDenied
    used, limit = quota_now()
    percent, state = quota_state(used, limit)
    months = [
        {"row": row, "percent": quota_state(row.used, row.limit)[0]}
        for row in SmsQuotaMonth.objects.order_by("-month")[:24]
    ]
    return TemplateResponse(
        request,
        "newsletter/admin/sms_quota.html",
        {
            "used": used,
            "limit": limit,
            "remaining": max(limit - used, 0),
            "percent": percent,
            "state": state,
            "months": months,
        },
    )


def alert_publish_view(request):
    """« Publier une alerte »: check (counts and SMS cost), then publish."""
    if not request.user.has_perms(ALERT_PERMISSIONS):
        raise PermissionDenied
    form = AlertForm(request.POST or None)
    preview = refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sms_text = data["sms_text"].strip() or f"{data['title']} : {data['message']}"
        if "check" in request.POST:
            preview = alert_preview(
                sms_text=sms_text if data["send_sms"] else "",
                neighbourhoods=data["neighbourhoods"],
            )
        else:
            try:
                result = alert_publish(
                    actor=request.user,
                    title=data["title"],
                    message=data["message"],
                    level=data["level"],
                    ends_at=data["ends_at"],
                    neighbourhoods=data["neighbourhoods"],
                    send_email=data["send_email"],
                    send_sms=data["send_sms"],
                    sms_text=data["sms_text"],
                    without_sms_if_refused=data["without_sms"],
                    ip=request.META.get("REMOTE_ADDR"),
                )
            except AlertSmsRefused as error:
                refused = error.message
                form.add_error("sms_text", error.message)
            else:
                messages.success(request, _("Alerte publiée sur le site."))
                if result.sms_left_out:
                    messages.warning(request, _("SMS non envoyé : ") + result.sms_left_out)
                return redirect(reverse("newsletter_admin_alert"))
    return TemplateResponse(
        request,
        "newsletter/admin/alert_publish.html",
        {"form": form, "preview": preview, "refused": refused},
    )
