from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import patch_cache_control

from . import cache as page_cache

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# The Wagtail admin still sets a few inline styles and scripts; it is only for logged-in
# staff with a second factor, and keeps every other directive.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def tile_origin(tile_url: str) -> str:
    """CSP source of a Leaflet tile URL template: its origin, ``{s}`` subdomains as ``*``
    (``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``).
    Empty when the URL is empty or not http(s)."""
    parts = urlsplit(tile_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    host = host.replace("{s}.", "*.").replace("{s}", "*")
    if "{" in host or "}" in host or " " in host or ";" in host:
        return ""
    return f"{parts.scheme}://{host}"


@lru_cache(maxsize=8)
def _policies(tile_url: str) -> tuple[str, str]:
    """(public, admin) policies; the map tiles' origin is added to img-src, nothing else."""
    origin = tile_origin(tile_url)
    if not origin:
        return CONTENT_SECURITY_POLICY, ADMIN_CONTENT_SECURITY_POLICY
    old = "img-src 'self' data: blob:"
    new = f"{old} {origin}"
    return (
        CONTENT_SECURITY_POLICY.replace(old, new),
        ADMIN_CONTENT_SECURITY_POLICY.replace(old, new),
    )


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(self), usb=()"
EMBEDDABLE_PREFIXES = ("/widgets/",)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy, Permissions-Policy and friends to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        public, admin = _policies(getattr(settings, "PARVIS_MAP_TILE_URL", "") or "")
        if request.path.startswith(("/admin/", "/django-admin/")):
            policy = admin
        else:
            policy = public
        if request.path.startswith(EMBEDDABLE_PREFIXES):
            policy = policy.replace("frame-ancestors 'none'", "frame-ancestors *")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


CACHEABLE_PREFIX_EXCLUDES = (
    "/admin/",
    "/django-admin/",
    "/comptes/",
    "/documents/",
    "/paiement/",
    "/static/",
    "/media/",
)


class AnonymousPageCacheMiddleware:
    """Serves anonymous GET pages from the cache and marks them publicly cacheable.

    A response is stored only when the visitor has no session, the view set no cookie and
    did not vary on cookies (forms with a CSRF token), and the status is 200. Publishing
    invalidates everything (see :mod:`parvis.core.cache`).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = getattr(settings, "PARVIS_PAGE_CACHE_SECONDS", 60)

    def _key(self, request) -> str:
        raw = f"{request.get_host()}|{request.get_full_path()}".encode()
        digest = hashlib.sha256(raw).hexdigest()
        return f"parvis:page:{page_cache.generation()}:{digest}"

    def _eligible(self, request) -> bool:
        return (
            self.timeout > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and not request.path.startswith(CACHEABLE_PREFIX_EXCLUDES)
        )

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        key = self._key(request)
        cached = caches["pages"].get(key)
        if cached is not None:
            cached.headers["X-Parvis-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if self._storable(request, response):
            patch_cache_control(response, public=True, max_age=self.timeout)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            caches["pages"].set(key, response, self.timeout)
            response.headers["X-Parvis-Cache"] = "miss"
        return response

    def _storable(self, request, response) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        # A page that used a CSRF token re-sends the cookie, so it is never stored above.
        return not response.has_header("Cache-Control")
