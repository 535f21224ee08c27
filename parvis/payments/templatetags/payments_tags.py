from django import template

from ..formatting import euros as _euros

register = template.Library()


@register.filter
def euros(cents):
    """Integer cents shown as « 12,50 € »."""
    if cents in (None, ""):
        return ""
    return _euros(cents)
