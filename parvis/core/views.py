"""Views of the core app: the stylesheet carrying the commune's colours."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .models import CommuneSettings

DEFAULT_PRIMARY = "#0b5d8c"
DEFAULT_ACCENT = "#a4461b"
# The lightest background text in these colours sits on (see --surface in site.css).
LIGHT_BACKGROUND = "#f3f6f9"
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def darken(colour: str, amount: float) -> str:
    return _hex(c * (1 - amount) for c in _rgb(colour))


def readable_on_light(colour: str) -> str:
    """``colour``, darkened just enough to be read as text on a light background (AA)."""
    value = colour
    steps = 0
    while contrast(value, LIGHT_BACKGROUND) < MIN_CONTRAST and steps < 40:
        value = darken(value, 0.05)
        steps += 1
    return value


def text_on(colour: str) -> str:
    """White or near-black, whichever reads best on ``colour``."""
    white, ink = "#ffffff", "#111111"
    return white if contrast(white, colour) >= contrast(ink, colour) else ink


def _clean(colour: str, default: str) -> str:
    return colour.lower() if colour and _HEX.match(colour) else default


def theme_variables(primary: str, accent: str) -> dict[str, str]:
    """CSS custom properties derived from the commune's two colours, all AA-contrasted."""
    primary = _clean(primary, DEFAULT_PRIMARY)
    accent = _clean(accent, DEFAULT_ACCENT)
    return {
        "--primary": primary,
        "--primary-dark": darken(primary, 0.25),
        "--on-primary": text_on(primary),
        "--primary-text": readable_on_light(primary),
        "--accent": accent,
        "--on-accent": text_on(accent),
        "--accent-text": readable_on_light(accent),
    }


def theme_version(primary: str, accent: str) -> str:
    return (_clean(primary, DEFAULT_PRIMARY) + _clean(accent, DEFAULT_ACCENT)).replace("#", "")


@require_safe
def theme_css(request):
    """``:root`` custom properties for the commune's colours, linked after site.css.

    Cached for a year when the ``v`` parameter matches the current colours (the page
    links it with that version), briefly otherwise.
    """
    commune = CommuneSettings.load(request_or_site=request)
    variables = theme_variables(commune.primary_colour, commune.accent_colour)
    body = ":root{" + ";".join(f"{k}:{v}" for k, v in variables.items()) + "}\n"
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    version = theme_version(commune.primary_colour, commune.accent_colour)
    if request.GET.get("v") == version:
        patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response
