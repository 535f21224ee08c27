"""Procedures permissions of the staff groups (filled in with the agents' inbox)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_bookings_permissions"),
        ("procedures", "0001_initial"),
    ]

    operations = []
