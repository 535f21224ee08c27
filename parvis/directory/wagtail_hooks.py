"""The directory in the Wagtail admin: the « Annuaire » menu (places, categories, entries
to verify, import, export), the geocoding endpoint of the place form, and the refusal to
bulk-delete categories still in use."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import moderation_admin  # noqa: F401  (registers the moderation queue)
from .admin_views import geocode
from .admin_viewsets import DirectoryViewSetGroup, category_in_use_message
from .models import Category

register_snippet(DirectoryViewSetGroup)


@hooks.register("register_admin_urls")
def register_directory_admin_urls():
    return [path("annuaire/geocoder/", geocode, name="directory_geocode")]


@hooks.register("before_bulk_action")
def refuse_deleting_used_categories(request, action_type, objects, action_class_instance):
    if action_type != "delete" or getattr(action_class_instance, "model", None) is not Category:
        return None
    reasons = [message for message in map(category_in_use_message, objects) if message]
    if reasons:
        for reason in reasons:
            messages.error(request, reason)
        return redirect("wagtailsnippets_directory_category:list")
    return None


@hooks.register("after_delete_snippet")
def audit_deleted_places(request, instances):
    from parvis.core.audit import audit_log_record

    from .models import Place

    for instance in instances:
        if isinstance(instance, Place):
            audit_log_record(
                actor=request.user,
                action="directory.place.delete",
                data={"id": instance.pk, "name": instance.name},
                ip=request.META.get("REMOTE_ADDR"),
            )
