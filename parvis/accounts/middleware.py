from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

ADMIN_PREFIX = "/admin/"
OPEN_ADMIN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/password_reset/")


class StaffTwoFactorMiddleware:
    """No authenticated session reaches the back office without a verified second factor.

    Runs after ``OTPMiddleware``; an unverified session on an admin URL is sent to the
    second-factor page (enrolment on first use, then a TOTP code), then back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        user = getattr(request, "user", None)
        if (
            path.startswith(ADMIN_PREFIX)
            and not path.startswith(OPEN_ADMIN_PATHS)
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
        ):
            target = reverse("accounts:two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
