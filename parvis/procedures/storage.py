"""Private storage for request attachments: outside ``MEDIA_ROOT``, never served by the
web server; files leave it only through views that check who asks."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """The storage of attachments (a callable, so that settings are read at run time and
    migrations do not record a path)."""
    return FileSystemStorage(location=settings.PARVIS_PRIVATE_MEDIA_ROOT, base_url=None)
