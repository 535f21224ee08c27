"""Directory permissions of the staff groups.

Communication and Accueil manage the directory: places and categories (add, change,
delete), residents' proposals (view and moderate), and pick or upload the photos of the
places. Élus read the directory in the back office.
"""

from django.db import migrations

MANAGE = [
    ("directory", "add_place"),
    ("directory", "change_place"),
    ("directory", "delete_place"),
    ("directory", "view_place"),
    ("directory", "add_category"),
    ("directory", "change_category"),
    ("directory", "delete_category"),
    ("directory", "view_category"),
    ("directory", "view_placeproposal"),
    ("directory", "change_placeproposal"),
]
READ = [("directory", "view_place"), ("directory", "view_category")]
GROUPS = {"Communication": MANAGE, "Accueil": MANAGE, "Élus": READ}
# Accueil had no image permission before: the place form needs the image chooser.
COLLECTIONS = {"Accueil": [("wagtailimages", "add_image"), ("wagtailimages", "choose_image")]}


def _ensure_permissions(apps):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_label in ("directory", "wagtailimages"):
        app_config = global_apps.get_app_config(app_label)
        module = app_config.models_module
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = module


def grant(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    for name, permissions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*[perm(app, codename) for app, codename in permissions])
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for name, permissions in COLLECTIONS.items():
            group = Group.objects.get(name=name)
            for app_label, codename in permissions:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=perm(app_label, codename)
                )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="directory",
                codename__in=[codename for _, codename in permissions],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_verified_at"),
        ("accounts", "0002_staff_groups"),
        ("directory", "0001_initial"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
