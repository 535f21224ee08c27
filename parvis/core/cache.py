"""Anonymous page cache: a generation number invalidates every cached page at once.

Publishing, unpublishing or moving a page, and saving a setting, menu or alert, bump the
generation; cached pages under the old generation are never served again. Time-based
content (alerts with an end, "open now") is bounded by ``PARVIS_PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "parvis:pagecache:generation"


def generation() -> int:
    value = caches["pages"].get(GENERATION_KEY)
    if value is None:
        caches["pages"].add(GENERATION_KEY, 1, timeout=None)
        value = caches["pages"].get(GENERATION_KEY) or 1
    return int(value)


def invalidate() -> None:
    """Drop every cached anonymous page (after the current transaction commits)."""

    def bump():
        try:
            caches["pages"].incr(GENERATION_KEY)
        except ValueError:
            caches["pages"].set(GENERATION_KEY, 2, timeout=None)

    transaction.on_commit(bump)


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(sender, **kwargs):
    invalidate()


_WATCHED_APPS = {"core", "cms", "wagtailcore", "wagtailimages", "wagtaildocs", "wagtailredirects"}
_IGNORED_MODELS = {
    "AuditLogEntry",
    "Revision",
    "ModelLogEntry",
    "PageLogEntry",
    "ContactSubmission",
    "WorkflowState",
    "TaskState",
    "PageViewRestriction",
    "ReferenceIndex",
    "Rendition",
    "UploadedFile",
    "PageSubscription",
    "Comment",
    "CommentReply",
}


@receiver(post_save)
@receiver(post_delete)
def _content_changed(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in _WATCHED_APPS:
        return
    if meta.object_name in _IGNORED_MODELS or meta.proxy:
        return
    # Draft saves of pages do not change what anonymous visitors see.
    if meta.app_label == "cms" and hasattr(sender, "get_parent") and not kwargs.get("raw"):
        instance = kwargs.get("instance")
        if instance is not None and not getattr(instance, "live", True):
            return
    invalidate()
