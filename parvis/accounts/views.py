import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from parvis.core.audit import audit_log_record

from . import registration, services, space
from .exceptions import AccountsError
from .forms import (
    EmailAuthenticationForm,
    OTPTokenForm,
    ResendVerificationForm,
    ResidentPasswordResetForm,
    SignUpForm,
)


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
    next_page = "/"


@login_required
def account(request):
    return render(
        request, "accounts/account.html", {"space_sections": space.render_context(request)}
    )


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _terms_url() -> str | None:
    """Address of the site's legal notice (a Wagtail page), if there is one."""
    from wagtail.models import Page

    page = Page.objects.live().filter(content_type__model="legalpage").first()
    return page.url if page is not None else None


def sign_up(request):
    """Create a resident account; the same confirmation follows whatever the address."""
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            return redirect("accounts:sign_up_done")
        try:
            registration.throttle_hit(
                scope="sign-up",
                ip=_client_ip(request),
                limit=registration.SIGNUPS_PER_IP_PER_HOUR,
            )
        except AccountsError as error:
            form.add_error(None, error.message)
        else:
            data = form.cleaned_data
            registration.resident_sign_up(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
                ip=_client_ip(request),
            )
            request.session["signup_email"] = data["email"]
            return redirect("accounts:sign_up_done")
    return render(request, "accounts/sign_up.html", {"form": form, "terms_url": _terms_url()})


def sign_up_done(request):
    return render(
        request, "accounts/sign_up_done.html", {"email": request.session.get("signup_email")}
    )


def verify_email(request, token):
    """Follow the link of the verification e-mail (idempotent)."""
    try:
        user = registration.email_verify(token=token, ip=_client_ip(request))
    except AccountsError as error:
        return render(
            request,
            "accounts/verify_email_failed.html",
            {"error": error.message, "form": ResendVerificationForm()},
            status=400,
        )
    signed_in_as_other = request.user.is_authenticated and request.user.pk != user.pk
    return render(
        request,
        "accounts/verify_email_done.html",
        {"verified_user": user, "signed_in_as_other": signed_in_as_other},
    )


def resend_verification(request):
    """Ask for a new verification link; the answer never says whether the address exists."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and registration.is_email_verified(user):
        messages.success(request, _("Votre adresse e-mail est déjà vérifiée."))
        return redirect("accounts:account")
    form = ResendVerificationForm(
        request.POST or None, initial={"email": getattr(user, "email", "")}
    )
    if request.method == "POST":
        email = user.email if user is not None else None
        if email is None and form.is_valid():
            email = form.cleaned_data["email"]
        if email is not None:
            try:
                registration.verification_resend(email=email, ip=_client_ip(request))
            except AccountsError as error:
                form = ResendVerificationForm(initial={"email": email})
                form.add_error(None, error.message)
            else:
                return render(request, "accounts/resend_verification_done.html", {"email": email})
    return render(request, "accounts/resend_verification.html", {"form": form, "user": user})


class PasswordResetView(auth_views.PasswordResetView):
    """« Mot de passe oublié ? »: e-mails a reset link; throttled per address of the requester."""

    form_class = ResidentPasswordResetForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset.subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            registration.throttle_hit(
                scope="password-reset",
                ip=_client_ip(self.request),
                limit=registration.RESENDS_PER_IP_PER_HOUR,
            )
        except AccountsError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        from parvis.core.models import CommuneSettings

        self.extra_email_context = {"commune_name": CommuneSettings.load().name}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from the e-mailed link also proves the address is theirs."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        registration.email_mark_verified(user=form.user, ip=_client_ip(self.request))
        audit_log_record(
            actor=form.user,
            action="accounts.password_reset",
            obj=form.user,
            ip=_client_ip(self.request),
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def email_proof(request):
    """A visitor without an account asks for a link proving they read an address."""
    from . import email_proof as proof
    from .forms import EmailProofForm

    next_url = proof._safe_next(request.POST.get("next") or request.GET.get("next", "/"))
    form = EmailProofForm(request.POST or None)
    sent_to = None
    if request.method == "POST" and form.is_valid():
        try:
            proof.email_proof_send(
                email=form.cleaned_data["email"], next_url=next_url, ip=_client_ip(request)
            )
        except AccountsError as error:
            form.add_error(None, error.message)
        else:
            sent_to = form.cleaned_data["email"]
    return render(
        request,
        "accounts/email_proof.html",
        {"form": form, "next": next_url, "sent_to": sent_to},
        status=400 if form.errors else 200,
    )


def email_proof_confirm(request, token):
    """Follow the proof link: the address counts as proven in this browser for 24 hours."""
    from . import email_proof as proof

    try:
        next_url = proof.email_proof_accept(request, token)
    except AccountsError as error:
        return render(
            request, "accounts/email_proof_failed.html", {"error": error.message}, status=400
        )
    messages.success(request, _("Votre adresse e-mail est confirmée."))
    return redirect(next_url)
