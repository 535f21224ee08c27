"""Newsletter permissions of the staff groups.

Communication does everything on newsletters (compose, approve, send, alerts, contacts,
import, topics, neighbourhoods, lists). « Élus » read campaigns and approve them (the custom
permission ``newsletter.approve_campaign``, created here on the Campaign content type).
Accueil reads contacts and may add one who signs a paper form. « Rédacteur de service »
drafts campaigns (add/change/view) but can neither approve nor send them.
"""

from django.db import migrations

APPROVE = ("newsletter", "approve_campaign")
MODELS = ("topic", "neighbourhood", "contact", "mailinglist", "campaign")
COMMUNICATION = [
    ("wagtailadmin", "access_admin"),
    APPROVE,
    *[("newsletter", f"{verb}_{model}") for model in MODELS for verb in ("add", "change", "view")],
    *[("newsletter", f"delete_{model}") for model in ("topic", "neighbourhood", "mailinglist")],
    ("newsletter", "view_consentevent"),
    ("newsletter", "view_subscription"),
    ("newsletter", "view_smsquotamonth"),
    ("newsletter", "view_delivery"),
]
ELUS = [("wagtailadmin", "access_admin"), APPROVE, ("newsletter", "view_campaign")]
ACCUEIL = [
    ("wagtailadmin", "access_admin"),
    ("newsletter", "view_contact"),
    ("newsletter", "add_contact"),
    ("newsletter", "view_consentevent"),
]
REDACTEUR = [
    ("wagtailadmin", "access_admin"),
    ("newsletter", "add_campaign"),
    ("newsletter", "change_campaign"),
    ("newsletter", "view_campaign"),
]
GRANTS = {
    "Communication": COMMUNICATION,
    "Élus": ELUS,
    "Accueil": ACCUEIL,
    "Rédacteur de service": REDACTEUR,
}


def _ensure_permissions(apps):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_label in ("newsletter", "wagtailadmin"):
        app_config = global_apps.get_app_config(app_label)
        module = app_config.models_module
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = module


def grant(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    campaign_type, _ = ContentType.objects.get_or_create(app_label="newsletter", model="campaign")
    Permission.objects.get_or_create(
        content_type=campaign_type,
        codename="approve_campaign",
        defaults={"name": "Can approve campaign"},
    )
    for name, specs in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in specs
            ]
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    newsletter = Permission.objects.filter(content_type__app_label="newsletter")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*newsletter)
    newsletter.filter(codename="approve_campaign").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_regie_group"),
        ("newsletter", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
