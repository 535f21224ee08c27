"""Bookings permissions of the staff groups (filled in with the bookings back office)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_familymember"),
        ("bookings", "0001_initial"),
        ("core", "0002_service"),
    ]

    operations = []
