"""Moderation queue of residents' proposals in the Wagtail admin.

Staff with ``directory.change_placeproposal`` (the Communication and Accueil groups) see
the pending proposals, compare each proposed value with the entry's current one, then
approve or reject with a message to the proposer. The menu item shows how many wait.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .exceptions import DirectoryError
from .models import PlaceProposal, ProposalKind, ProposalStatus
from .selectors_proposals import proposal_diff, proposal_queue, proposals_pending_count
from .services.proposals import proposal_approve, proposal_conflicts, proposal_reject

PERMISSION = "directory.change_placeproposal"
PAGE_SIZE = 50


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm(PERMISSION)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("Tous"))] + list(ProposalKind.choices),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("État"),
        required=False,
        choices=list(ProposalStatus.choices) + [("all", gettext_lazy("Tous"))],
    )


class ApproveForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message au demandeur (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    publish = forms.TypedChoiceField(
        label=gettext_lazy("Publication de la nouvelle fiche"),
        choices=[
            ("1", gettext_lazy("Publier la fiche tout de suite")),
            ("0", gettext_lazy("Créer la fiche en brouillon (à compléter avant publication)")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
        required=False,
    )
    overwrite = forms.BooleanField(
        label=gettext_lazy(
            "J'ai vérifié les champs modifiés depuis la proposition : remplacer les valeurs "
            "actuelles"
        ),
        required=False,
    )

    def __init__(self, *args, proposal: PlaceProposal, conflicts: list[str], **kwargs):
        super().__init__(*args, prefix="approve", **kwargs)
        if proposal.kind != ProposalKind.NEW:
            del self.fields["publish"]
        if not conflicts:
            del self.fields["overwrite"]


class RejectForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Motif du refus, envoyé au demandeur"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Expliquez au demandeur pourquoi sa proposition est refusée.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reject", **kwargs)


class ModerationMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"
    index_url = reverse_lazy("directory_moderation:index")

    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.index_url, "label": _("Propositions de l'annuaire")}
        ]


class ProposalIndexView(ModerationMixin, TemplateView):
    template_name = "directory/moderation/index.html"
    page_title = gettext_lazy("Propositions de l'annuaire")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = QueueFilterForm(self.request.GET or None)
        kind, status = "", ProposalStatus.PENDING
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            status = form.cleaned_data["status"] or ProposalStatus.PENDING
        paginator = Paginator(
            proposal_queue(kind=kind, status="" if status == "all" else status), PAGE_SIZE
        )
        context.update(
            {
                "filter_form": form
                if form.is_bound
                else QueueFilterForm(initial={"status": status}),
                "page_obj": paginator.get_page(self.request.GET.get("p")),
                "status": status,
            }
        )
        return context


class ProposalDetailView(ModerationMixin, TemplateView):
    template_name = "directory/moderation/detail.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.proposal = get_object_or_404(
            PlaceProposal.objects.select_related("place", "proposer", "reviewed_by"),
            pk=kwargs["pk"],
        )

    def get_page_title(self):
        return str(self.proposal)

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": str(self.proposal)}]

    def get_context_data(self, approve_form=None, reject_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal = self.proposal
        conflicts = (
            proposal_conflicts(proposal) if proposal.status == ProposalStatus.PENDING else []
        )
        context.update(
            {
                "proposal": proposal,
                "rows": proposal_diff(proposal),
                "conflicts": conflicts,
                "pending": proposal.status == ProposalStatus.PENDING,
                "approve_form": approve_form or ApproveForm(proposal=proposal, conflicts=conflicts),
                "reject_form": reject_form or RejectForm(),
                "edit_url": _place_edit_url(proposal.place_id),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        proposal = self.proposal
        ip = request.META.get("REMOTE_ADDR")
        conflicts = (
            proposal_conflicts(proposal) if proposal.status == ProposalStatus.PENDING else []
        )
        approve_form = reject_form = None
        try:
            if request.POST.get("action") == "approve":
                approve_form = ApproveForm(request.POST, proposal=proposal, conflicts=conflicts)
                if approve_form.is_valid():
                    publish = approve_form.cleaned_data.get("publish")
                    proposal_approve(
                        actor=request.user,
                        proposal=proposal,
                        message=approve_form.cleaned_data["message"],
                        publish=True if publish in (None, "") else bool(publish),
                        overwrite=approve_form.cleaned_data.get("overwrite", False),
                        ip=ip,
                    )
                    messages.success(
                        request, _("Proposition acceptée ; le demandeur est prévenu par e-mail.")
                    )
                    return redirect("directory_moderation:index")
            else:
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    proposal_reject(
                        actor=request.user,
                        proposal=proposal,
                        message=reject_form.cleaned_data["message"],
                        ip=ip,
                    )
                    messages.success(
                        request, _("Proposition refusée ; le demandeur est prévenu par e-mail.")
                    )
                    return redirect("directory_moderation:index")
        except DirectoryError as error:
            form = approve_form if approve_form is not None else reject_form
            errors = getattr(error, "errors", None) or {}
            if errors:
                for field, field_messages in errors.items():
                    label = _field_label(field)
                    for message in field_messages:
                        form.add_error(None, f"{label} : {message}" if label else message)
            else:
                target = error.field if error.field in form.fields else None
                form.add_error(target, error.message)
            self.proposal = PlaceProposal.objects.select_related(
                "place", "proposer", "reviewed_by"
            ).get(pk=proposal.pk)
        context = self.get_context_data(approve_form=approve_form, reject_form=reject_form)
        return self.render_to_response(
            context, status=400 if (approve_form or reject_form) else 200
        )


def _field_label(field: str | None) -> str:
    from django.utils.text import capfirst

    from .models import Place

    if not field:
        return ""
    try:
        return capfirst(str(Place._meta.get_field(field).verbose_name))
    except Exception:
        return field


def _place_edit_url(place_id: int | None) -> str:
    """The place's edit page in the back office, when the place admin is installed."""
    from django.urls import NoReverseMatch

    if place_id is None:
        return ""
    try:
        return reverse("wagtailsnippets_directory_place:edit", args=[place_id])
    except NoReverseMatch:
        return ""


class ProposalMenuItem(MenuItem):
    """« Propositions (n) »: shown to moderators, with the number of pending proposals."""

    def is_shown(self, request):
        return can_moderate(request.user)

    def render_component(self, request):
        count = proposals_pending_count()
        component = super().render_component(request)
        if count:
            component.label = _("%(label)s (%(count)s)") % {"label": self.label, "count": count}
        return component


@hooks.register("register_admin_urls")
def register_moderation_urls():
    from django.urls import include

    urls = [
        path("", ProposalIndexView.as_view(), name="index"),
        path("<int:pk>/", ProposalDetailView.as_view(), name="detail"),
    ]
    return [path("annuaire/propositions/", include((urls, "directory_moderation")))]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ProposalMenuItem(
        gettext_lazy("Propositions"),
        reverse_lazy("directory_moderation:index"),
        name="directory-proposals",
        icon_name="tasks",
        order=260,
    )
