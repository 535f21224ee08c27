import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import factories
from .conftest import totp_code

pytestmark = pytest.mark.django_db


def test_public_page_security_headers(client, site):
    response = client.get(site["home"].url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_admin_refuses_staff_without_second_factor(client):
    user = factories.make_user("com2@example.org", groups=["Communication"])
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    # The page under the admin is not reachable either.
    response = client.get("/admin/pages/")
    assert response.status_code == 302


def test_enrolment_then_admin(client):
    user = factories.make_user("com3@example.org", groups=["Communication"])
    client.force_login(user)
    page = client.get(reverse("accounts:two_factor") + "?next=/admin/")
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content  # the QR code, made locally
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:two_factor") + "?next=/admin/", {"token": "000000"})
    assert wrong.status_code == 200
    assert "Code incorrect" in wrong.content.decode()
    from parvis.core.models import AuditLogEntry

    assert AuditLogEntry.objects.filter(actor=user, action="accounts.2fa_failed").exists()
    assert client.get("/admin/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(reverse("accounts:two_factor") + "?next=/admin/", {"token": totp_code(device)})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_non_numeric_code_is_explained(client):
    user = factories.make_user("com4@example.org", groups=["Communication"])
    client.force_login(user)
    response = client.post(reverse("accounts:two_factor"), {"token": "abcdef"})
    assert response.status_code == 200
    assert "ne contient que des chiffres" in response.content.decode()


def test_open_redirect_after_second_factor_is_refused(client):
    user = factories.make_user("com5@example.org", groups=["Communication"])
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    response = client.post(
        reverse("accounts:two_factor") + "?next=https://evil.example.com/",
        {"token": totp_code(device)},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_lockout_after_repeated_failures(client, settings):
    factories.make_user("victime@example.org", groups=["Communication"])
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/admin/login/", {"username": "victime@example.org", "password": "mauvais"}
        )
        assert response.status_code == 200  # form again, with its error
    last = client.post("/admin/login/", {"username": "victime@example.org", "password": "x"})
    assert last.status_code == 429
    # Even the right password is refused now, with an explanation.
    response = client.post(
        "/admin/login/", {"username": "victime@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "bloqué" in response.content.decode()


def test_successful_login_resets_failures(client, settings):
    factories.make_user("distrait@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/comptes/connexion/", {"username": "distrait@example.org", "password": "x"})
    ok = client.post(
        "/comptes/connexion/", {"username": "distrait@example.org", "password": factories.PASSWORD}
    )
    assert ok.status_code == 302
    client.logout()
    again = client.post(
        "/comptes/connexion/", {"username": "distrait@example.org", "password": "x"}
    )
    assert again.status_code == 200


def test_password_rules_refuse_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["court1A!", "motdepassetreslong", "123456789012345"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Soleil-de-Provence-2026")


def _run_settings(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=os.path.dirname(os.path.dirname(__file__)),
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run_settings({"DJANGO_SETTINGS_MODULE": "parvis.settings.production"}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_passes_deploy_checks():
    result = _run_settings(
        {
            "DJANGO_SETTINGS_MODULE": "parvis.settings.production",
            "DJANGO_SECRET_KEY": "k" * 20 + "-Zq8#x!7LpV2mN4rT6yW9bC1dF3gH5jK",
            "ALLOWED_HOSTS": "www.example.org",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_audit_log_is_readable_by_admins_and_never_editable(client):
    admin = factories.make_user("chef@example.org", staff=True, superuser=True)
    from .conftest import verified_login

    verified_login(client, admin)
    from parvis.core.models import AuditLogEntry

    entry = AuditLogEntry.objects.create(actor=admin, action="cms.act_published")
    listing = client.get("/admin/audit_log/")
    assert listing.status_code == 200
    assert client.get(f"/admin/audit_log/inspect/{entry.pk}/").status_code == 200
    assert client.get(f"/admin/audit_log/edit/{entry.pk}/").status_code in (302, 403)
    assert client.post(f"/admin/audit_log/delete/{entry.pk}/").status_code in (302, 403)
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()
    communication = factories.make_user("agent@example.org", groups=["Communication"])
    client.logout()
    verified_login(client, communication)
    assert client.get("/admin/audit_log/").status_code in (302, 403)
