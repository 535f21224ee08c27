from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .exceptions import ActLocked
from .models import Act, ContactSubmission


class ActPermissionPolicy(ModelPermissionPolicy):
    """Published acts are read-only for everyone, superusers included."""

    LOCKED_ACTIONS = {"change", "delete", "publish", "unpublish", "lock", "unlock"}

    def user_has_permission_for_instance(self, user, action, instance):
        if action in self.LOCKED_ACTIONS and getattr(instance, "is_locked", False):
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        if set(actions) <= self.LOCKED_ACTIONS:
            queryset = queryset.filter(first_published_at__isnull=True)
        return queryset


register_permission_policy(Act, ActPermissionPolicy(Act))


class RefuseLockedActMixin:
    """Every view that could change a published act sends the agent to its read-only page."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk") or (args[0] if args else None)
        if pk is not None:
            act = get_object_or_404(Act, pk=unquote(str(pk)))
            if act.is_locked:
                messages.error(request, str(ActLocked.message))
                return redirect("wagtailsnippets_cms_act:inspect", quote(act.pk))
        return super().dispatch(request, *args, **kwargs)


class ActEditView(RefuseLockedActMixin, snippet_views.EditView):
    pass


class ActDeleteView(RefuseLockedActMixin, snippet_views.DeleteView):
    pass


class ActUnpublishView(RefuseLockedActMixin, snippet_views.UnpublishView):
    pass


class ActViewSet(SnippetViewSet):
    edit_view_class = ActEditView
    delete_view_class = ActDeleteView
    unpublish_view_class = ActUnpublishView
    model = Act
    icon = "doc-full-inverse"
    menu_label = _("Actes")
    menu_order = 210
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["number", "act_type", "date", "subject", "live"]
    list_filter = ["act_type", "live"]
    search_fields = ["subject", "number"]
    ordering = ["-date"]


register_snippet(ActViewSet)


class ContactSubmissionViewSet(ModelViewSet):
    model = ContactSubmission
    icon = "mail"
    menu_label = _("Messages reçus")
    add_to_admin_menu = True
    menu_order = 300
    inspect_view_enabled = True
    list_display = ["subject", "service", "name", "created_at", "sent_at"]
    list_filter = ["service"]
    search_fields = ["subject", "name", "email"]
    form_fields = ["service", "name", "email", "phone", "subject", "message"]
    exclude_form_fields = []

    def get_permissions_to_register(self):
        return super().get_permissions_to_register()


contact_submission_viewset = ContactSubmissionViewSet("contact_submissions")


from wagtail import hooks  # noqa: E402


@hooks.register("register_admin_viewset")
def register_contact_submissions():
    return contact_submission_viewset
