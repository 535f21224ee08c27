import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from . import services, space
from .forms import EmailAuthenticationForm, OTPTokenForm


def _safe_next(request, default="/admin/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _qr_svg_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def two_factor(request):
    """Second factor for the back office: enrolment on first use, then a TOTP code."""
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    enrolling = services.confirmed_totp_device(user=user) is None
    device = services.totp_device_for_enrolment(user=user) if enrolling else None
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = services.totp_verify(
            user=user, token=form.cleaned_data["token"], ip=request.META.get("REMOTE_ADDR")
        )
        if accepted is not None:
            otp_login(request, accepted)
            return redirect(next_url)
        form.add_error("token", _("Code incorrect ou expiré. Réessayez avec le code affiché."))
    context = {"form": form, "next": next_url, "enrolling": enrolling}
    if device is not None:
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
        context["qr_code"] = _qr_svg_data_uri(device.config_url)
    return render(request, "accounts/two_factor.html", context)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("home")


@login_required
def account(request):
    return render(
        request, "accounts/account.html", {"space_sections": space.render_context(request)}
    )
