"""Payments permissions of the staff groups.

« Régie » (the régisseur) manages the régies' invoices (create, edit, cancel, settle at
the desk, import), records refunds, exports the reconciliation and reads payments and
régies. Accueil reads invoices and payments to answer a family at the desk. Communication
and Élus have nothing on payments. Nobody deletes an invoice or edits a payment by hand
(see ``parvis.payments`` permission policies).
"""

from django.db import migrations

REGIE = [
    ("wagtailadmin", "access_admin"),
    ("payments", "add_invoice"),
    ("payments", "change_invoice"),
    ("payments", "view_invoice"),
    ("payments", "change_payment"),
    ("payments", "view_payment"),
    ("payments", "view_regie"),
]
ACCUEIL = [("payments", "view_invoice"), ("payments", "view_payment")]
NOTHING = ("Communication", "Élus", "Rédacteur de service")


def _ensure_permissions(apps):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_label in ("payments", "wagtailadmin"):
        app_config = global_apps.get_app_config(app_label)
        module = app_config.models_module
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = module


def grant(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(specs):
        return [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in specs
        ]

    regie, _ = Group.objects.get_or_create(name="Régie")
    regie.permissions.add(*perms(REGIE))
    accueil, _ = Group.objects.get_or_create(name="Accueil")
    accueil.permissions.add(*perms(ACCUEIL))
    payments = Permission.objects.filter(content_type__app_label="payments")
    for group in Group.objects.filter(name__in=NOTHING):
        group.permissions.remove(*payments)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name="Régie").delete()
    accueil = Group.objects.filter(name="Accueil").first()
    if accueil is not None:
        accueil.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="payments",
                codename__in=[codename for _, codename in ACCUEIL],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_directory_permissions"),
        ("payments", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
