"""The directory in the Wagtail admin."""

from . import moderation_admin  # noqa: F401  (registers the moderation queue)
