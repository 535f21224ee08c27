"""No two occupying bookings of one resource (or one desk) overlap in time: PostgreSQL
exclusion constraints (btree_gist). SQLite has none; there the booking transaction
(BEGIN IMMEDIATE) serialises writers and the engine checks under it."""

from django.db import migrations

OCCUPYING = "('offered', 'held', 'pending_approval', 'confirmed')"

CONSTRAINTS = (
    ("bookings_no_resource_overlap", "resource_id"),
    ("bookings_no_desk_overlap", "desk_id"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE bookings_booking ADD CONSTRAINT {name} "
            f'EXCLUDE USING gist ({column} WITH =, tstzrange("start", "end", \'[)\') WITH &&) '
            f"WHERE ({column} IS NOT NULL AND status IN {OCCUPYING})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
