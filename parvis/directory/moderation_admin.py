"""Moderation queue of residents' proposals in the Wagtail admin."""
