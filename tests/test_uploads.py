import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from .conftest import verified_login

pytestmark = pytest.mark.django_db


def test_wrong_type_upload_is_refused_clearly(client, communication):
    verified_login(client, communication)
    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho not an image\n", "image/jpeg")
    response = client.post("/admin/images/add/", {"title": "Photo", "file": fake})
    assert response.status_code == 200
    assert not Image.objects.exists()
    html = response.content.decode()
    assert "n’est pas une image ou bien est corrompu" in html


def test_oversized_image_is_refused(client, communication, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    verified_login(client, communication)
    buffer = io.BytesIO()
    PILImage.effect_noise((300, 300), 80).convert("RGB").save(buffer, "PNG")
    upload = SimpleUploadedFile("bruit.png", buffer.getvalue(), "image/png")
    response = client.post("/admin/images/add/", {"title": "Bruit", "file": upload})
    assert response.status_code == 200
    assert not Image.objects.exists()
    assert "Ce fichier est trop gros" in response.content.decode()
