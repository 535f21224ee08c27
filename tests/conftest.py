import pytest
from django.core.cache import caches
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parvis.newsletter import sms

from . import factories


@pytest.fixture(autouse=True)
def _clean_cache(settings, tmp_path):
    """Each test starts with an empty cache (the page cache may live in Redis), its own
    media folder and an empty SMS outbox (the locmem SMS backend)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for alias in ("default", "pages"):
        caches[alias].clear()
    sms.outbox.clear()
    sms.scripted_results.clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _fresh_content_types(request):
    """A transactional test with threads (``django_db(transaction=True)``) starts with an
    empty content-type cache: a browser test with serialized rollback before it ends by
    flushing the database without recreating content types, so ids remembered from before
    would point at rows that no longer exist."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@pytest.fixture
def site(db):
    return factories.make_site()


def totp_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def verified_login(client, user):
    """Log in through the real forms: password, then the TOTP second factor."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    device.last_t = -1  # as if the previous code had expired: a code is accepted once only
    device.save()
    response = client.post(
        "/comptes/double-authentification/?next=/admin/", {"token": totp_code(device)}
    )
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def communication(db):
    return factories.make_user("com@example.org", groups=["Communication"])


@pytest.fixture
def redacteur(db):
    return factories.make_user("redaction@example.org", groups=["Rédacteur de service"])


@pytest.fixture
def communication_client(client, communication):
    return verified_login(client, communication)
