"""Campaigns in the Wagtail admin: composer, preview, test send, approval, scheduling,
progress and statistics.

Every write goes through :mod:`parvis.newsletter.services.campaigns` (one transaction
with its audit entry); a refusal is shown next to its field or as a message, nothing is
changed. Permissions: ``add/change_campaign`` compose and submit; ``approve_campaign``
approves, sends, schedules (see :func:`can_approve` for the author rule); the JSON
endpoints need ``view_campaign``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from wagtail.admin.views.generic import CreateView, EditView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from parvis.core.models import AuditLogEntry

from .audience import audience_recipients, recipient_count
from .forms_admin import CampaignForm, RejectForm, ScheduleForm, TestSendForm
from .models import Campaign, Channel
from .models import CampaignStatus as Status
from .services import campaigns as services
from .services.campaigns import APPROVE_PERMISSION, CampaignError

VIEW = "newsletter.view_campaign"
CHANGE = "newsletter.change_campaign"
PREVIEW_CSP = (
    "default-src 'none'; img-src 'self' data: https: http:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
)


class CampaignPermissionPolicy(ModelPermissionPolicy):
    """Campaigns are cancelled, never deleted (their audit trail and statistics stay)."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change" and instance.status != Status.DRAFT:
            return False
        return self.user_has_permission(user, action)


register_permission_policy(Campaign, CampaignPermissionPolicy(Campaign))


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def _field_error(form, error: CampaignError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


class ComposerMixin:
    template_name = "newsletter/admin/campaign_form.html"

    def get_form_class(self):
        return CampaignForm

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except CampaignError as error:
            _field_error(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("newsletter_admin_campaign:inspect", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count_url"] = reverse("newsletter_admin_campaign:count")
        return context


class CampaignCreateView(ComposerMixin, CreateView):
    def save_instance(self):
        return services.campaign_create(
            actor=self.request.user,
            channel=self.form.cleaned_data["channel"],
            ip=_ip(self.request),
            **self.form.service_kwargs(),
        )


class CampaignEditView(ComposerMixin, EditView):
    def _not_draft(self):
        campaign = get_object_or_404(Campaign, pk=self.object_pk)
        if campaign.status != Status.DRAFT:
            messages.warning(
                self.request, _("Seul un brouillon peut être modifié : remettez-la en brouillon.")
            )
            return redirect("newsletter_admin_campaign:inspect", campaign.pk)
        return None

    def get(self, request, *args, **kwargs):
        return self._not_draft() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._not_draft() or super().post(request, *args, **kwargs)

    def save_instance(self):
        return services.campaign_update(
            actor=self.request.user,
            campaign=self.object,
            ip=_ip(self.request),
            **self.form.service_kwargs(),
        )


AUDIT_LABELS = {
    "campaign.create": gettext_lazy("Créée"),
    "campaign.update": gettext_lazy("Modifiée"),
    "campaign.submit": gettext_lazy("Soumise à approbation"),
    "campaign.approve": gettext_lazy("Approuvée"),
    "campaign.reject": gettext_lazy("Remise en brouillon"),
    "campaign.schedule": gettext_lazy("Programmée"),
    "campaign.send": gettext_lazy("Envoi lancé"),
    "campaign.send_refused": gettext_lazy("Envoi programmé refusé"),
    "campaign.cancel": gettext_lazy("Annulée"),
    "campaign.test_send": gettext_lazy("Test envoyé"),
}


def _stats(campaign: Campaign) -> dict | None:
    if campaign.status not in (Status.SENDING, Status.SENT):
        return None
    from .services.sending import campaign_stats

    stats = campaign_stats(campaign)
    return stats if isinstance(stats, dict) else dict(vars(stats))


class CampaignInspectView(InspectView):
    template_name = "newsletter/admin/campaign_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Campaign.objects.select_related("created_by", "approved_by"), pk=self.pk
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, user = self.object, self.request.user
        status = campaign.status
        approver = user.has_perm(APPROVE_PERMISSION)
        can_change = user.has_perm(CHANGE)
        entries = AuditLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Campaign), object_id=str(campaign.pk)
        ).order_by("timestamp", "pk")
        context.update(
            {
                "campaign": campaign,
                "recipients": recipient_count(campaign),
                "sms": services.campaign_sms_estimate(campaign),
                "stats": _stats(campaign),
                "audit": [
                    {"entry": e, "label": AUDIT_LABELS.get(e.action, e.action)} for e in entries
                ],
                "can_edit": can_change and status == Status.DRAFT,
                "can_submit": can_change and status == Status.DRAFT,
                "can_approve": status == Status.SUBMITTED and services.can_approve(user, campaign),
                "author_cannot_approve": status == Status.SUBMITTED
                and approver
                and not services.can_approve(user, campaign),
                "can_reject": status in (Status.SUBMITTED, Status.APPROVED, Status.SCHEDULED)
                and (approver or user.pk == campaign.created_by_id),
                "can_send": approver and status in (Status.APPROVED, Status.SCHEDULED),
                "can_cancel": (approver or can_change) and status in services.CANCELLABLE,
                "can_test": can_change and status not in (Status.SENT, Status.CANCELLED),
                "own_address": services.own_test_addresses(user).get(campaign.channel, ""),
                "schedule_form": ScheduleForm(),
                "test_form": TestSendForm(),
                "reject_form": RejectForm(),
                "sending": status == Status.SENDING,
                "progress_url": reverse("newsletter_admin_campaign:progress", args=[campaign.pk]),
                "preview_url": reverse("newsletter_admin_campaign:preview", args=[campaign.pk]),
            }
        )
        return context


def _campaign_or_403(request, pk, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return get_object_or_404(Campaign, pk=pk)


def _run(request, campaign, run, success):
    try:
        run()
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("newsletter_admin_campaign:inspect", campaign.pk)


@require_POST
def campaign_submit(request, pk):
    campaign = _campaign_or_403(request, pk, CHANGE)
    return _run(
        request,
        campaign,
        lambda: services.campaign_submit(actor=request.user, campaign=campaign, ip=_ip(request)),
        _("Campagne soumise à approbation."),
    )


@require_POST
def campaign_approve(request, pk):
    campaign = _campaign_or_403(request, pk, APPROVE_PERMISSION)
    return _run(
        request,
        campaign,
        lambda: services.campaign_approve(actor=request.user, campaign=campaign, ip=_ip(request)),
        _("Campagne approuvée : vous pouvez l'envoyer ou la programmer."),
    )


@require_POST
def campaign_reject(request, pk):
    campaign = _campaign_or_403(request, pk, VIEW)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(
        request,
        campaign,
        lambda: services.campaign_reject(
            actor=request.user, campaign=campaign, reason=reason, ip=_ip(request)
        ),
        _("Campagne remise en brouillon."),
    )


@require_POST
def campaign_send(request, pk):
    campaign = _campaign_or_403(request, pk, APPROVE_PERMISSION)
    return _run(
        request,
        campaign,
        lambda: services.campaign_send_now(actor=request.user, campaign=campaign, ip=_ip(request)),
        _("Envoi lancé."),
    )


@require_POST
def campaign_schedule(request, pk):
    campaign = _campaign_or_403(request, pk, APPROVE_PERMISSION)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Date et heure invalides (jj/mm/aaaa hh:mm)."))
        return redirect("newsletter_admin_campaign:inspect", campaign.pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_schedule(
            actor=request.user, campaign=campaign, at=form.cleaned_data["at"], ip=_ip(request)
        ),
        _("Envoi programmé."),
    )


@require_POST
def campaign_cancel(request, pk):
    campaign = _campaign_or_403(request, pk, VIEW)
    if not (request.user.has_perm(CHANGE) or request.user.has_perm(APPROVE_PERMISSION)):
        raise PermissionDenied
    return _run(
        request,
        campaign,
        lambda: services.campaign_cancel(actor=request.user, campaign=campaign, ip=_ip(request)),
        _("Campagne annulée."),
    )


@require_POST
def campaign_test(request, pk):
    campaign = _campaign_or_403(request, pk, CHANGE)
    form = TestSendForm(request.POST)
    to = form.cleaned_data["to"] if form.is_valid() else ""
    try:
        address = services.campaign_test_send(
            actor=request.user, campaign=campaign, to=to, ip=_ip(request)
        )
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Test envoyé à %(to)s.") % {"to": address})
    return redirect("newsletter_admin_campaign:inspect", campaign.pk)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def recipients_count(request):
    """Live count of the composer: ?channel=&topics=&neighbourhoods=&lists=&sms_text=."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    channel = request.GET.get("channel")
    if channel not in Channel.values:
        return JsonResponse({"error": _("Canal inconnu.")}, status=400)
    count = audience_recipients(
        channel=channel,
        topics=_ids(request.GET.getlist("topics")),
        neighbourhoods=_ids(request.GET.getlist("neighbourhoods")),
        lists=_ids(request.GET.getlist("lists")),
    ).count()
    data: dict = {"channel": channel, "recipients": count}
    if channel == Channel.SMS:
        estimate = services.sms_estimate(request.GET.get("sms_text", ""), recipients=count)
        data["sms"] = {
            "encoding": estimate.encoding,
            "segments": estimate.segments,
            "total": estimate.total,
            "remaining": estimate.remaining,
            "limit": estimate.limit,
            "max_segments": estimate.max_segments,
            "over_quota": estimate.over_quota,
            "too_long": estimate.too_long,
        }
    return JsonResponse(data)


@xframe_options_sameorigin
def campaign_preview(request, pk):
    """The e-mail as a recipient sees it (for the 600 px / 360 px frames), or the SMS."""
    campaign = _campaign_or_403(request, pk, VIEW)
    if campaign.channel == Channel.SMS:
        return TemplateResponse(
            request,
            "newsletter/admin/sms_preview.html",
            {"text": services.sms_full_text(campaign.sms_text)},
            headers={"Content-Security-Policy": PREVIEW_CSP},
        )
    from .rendering import render_campaign_email

    message = render_campaign_email(campaign, None)
    html = next((c for c, mime in message.alternatives if mime == "text/html"), None)
    if html is None:
        return HttpResponse(
            message.body,
            content_type="text/plain; charset=utf-8",
            headers={"Content-Security-Policy": PREVIEW_CSP},
        )
    response = HttpResponse(html)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


def campaign_progress(request, pk):
    """JSON for the progress bar: status and the engine's statistics."""
    campaign = _campaign_or_403(request, pk, VIEW)
    stats = _stats(campaign) or {}
    return JsonResponse(
        {
            "status": campaign.status,
            "status_label": str(campaign.get_status_display()),
            "stats": {k: v for k, v in stats.items() if isinstance(v, int | float)},
        }
    )


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "mail"
    menu_label = gettext_lazy("Campagnes")
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    inspect_view_class = CampaignInspectView
    inspect_view_enabled = True
    list_display = ["title", "channel", "status", "scheduled_at", "created_by", "created_at"]
    list_filter = ["status", "channel", "is_alert"]
    search_fields = ["title", "subject", "sms_text"]
    form_fields = ["title"]
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("destinataires/", recipients_count, name="count"),
            path("<int:pk>/soumettre/", campaign_submit, name="submit"),
            path("<int:pk>/approuver/", campaign_approve, name="approve"),
            path("<int:pk>/brouillon/", campaign_reject, name="reject"),
            path("<int:pk>/envoyer/", campaign_send, name="send"),
            path("<int:pk>/programmer/", campaign_schedule, name="schedule"),
            path("<int:pk>/annuler/", campaign_cancel, name="cancel"),
            path("<int:pk>/test/", campaign_test, name="test"),
            path("<int:pk>/apercu/", campaign_preview, name="preview"),
            path("<int:pk>/progression/", campaign_progress, name="progress"),
        ]
