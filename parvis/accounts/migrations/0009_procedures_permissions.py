"""Procedures permissions of the staff groups.

* « Accueil » (front-desk agents) handle requests: they read them (``view_request``,
  ``view_attachment``, ``view_requestevent``: the inbox, a request's page, the CSV export)
  and handle them (``change_request``, checked by every action of the back office: status
  changes, assignment, messages to the requester, internal notes, documents asked for or
  added; ``add_requestevent`` goes with it). They read procedure definitions but do not
  change them.
* « Communication » edits procedure definitions (the form, the texts, the workflow) and
  publishes them (``add/change/view_procedure``, with their statuses and transitions): it
  is the team that writes for residents and knows the admin's page editor. It does not
  read requests (personal data it has no need for). Deleting a procedure is left to
  administrators (a procedure with requests cannot be deleted anyway).

Row-level scoping always applies on top: a member of these groups sees only the requests
and procedures of the municipal services whose groups they belong to
(:func:`parvis.core.services_access.services_for_user`); being in « Accueil » alone gives
access to no request until the group is attached to a service.
"""

from django.db import migrations

ACCUEIL = [
    ("wagtailadmin", "access_admin"),
    ("procedures", "view_request"),
    ("procedures", "change_request"),
    ("procedures", "view_requestevent"),
    ("procedures", "add_requestevent"),
    ("procedures", "view_attachment"),
    ("procedures", "view_procedure"),
]
COMMUNICATION = [
    ("wagtailadmin", "access_admin"),
    ("procedures", "add_procedure"),
    ("procedures", "change_procedure"),
    ("procedures", "view_procedure"),
    ("procedures", "add_procedurestatus"),
    ("procedures", "change_procedurestatus"),
    ("procedures", "delete_procedurestatus"),
    ("procedures", "add_transition"),
    ("procedures", "change_transition"),
    ("procedures", "delete_transition"),
]
GRANTS = {"Accueil": ACCUEIL, "Communication": COMMUNICATION}


def _ensure_permissions(apps):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_label in ("procedures", "wagtailadmin"):
        app_config = global_apps.get_app_config(app_label)
        module = app_config.models_module
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = module


def grant(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
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
    procedures = Permission.objects.filter(content_type__app_label="procedures")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*procedures)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_bookings_permissions"),
        ("procedures", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
