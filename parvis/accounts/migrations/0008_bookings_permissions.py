"""Bookings permissions of the staff groups.

Two layers decide what a staff member sees in « Réservations »: these model permissions
(what kind of work a group does) and the municipal services they work for
(``core.Service.groups``, row level: an agent sees only the agendas, sessions, closures
and bookings of their services, see ``parvis.bookings.admin_views.access``). A group
linked to no service sees no agenda, whatever its permissions.

* **Accueil** (front desk): configures agendas (add/change, with their desks, types,
  resources, tariffs and questions), sessions and desk absences; reads bookings, books
  for residents at the counter or by phone, acts on bookings (approve, refuse, cancel,
  move, attendance, settle at the desk), closes periods (strike, holidays).
* **Rédacteur de service**: the staff of a service (Enfance-jeunesse, Sports…) run their
  own agendas once their section group is linked to the service: the same as Accueil
  except creating agendas.
* **Communication**, **Élus**, **Régie**: nothing. Bookings carry residents' personal data
  (and health answers for camps); publishing the site, approving campaigns or keeping
  the régie's accounts does not need them (data minimisation). The régisseur sees the
  bookings' payments in « Paiements ».

Nobody but superusers deletes agendas or sessions (archive or close a period instead),
and bookings and closures are never edited or deleted by hand (the engine writes them).
Linking groups to services (« Services municipaux ») is for superusers.
"""

from django.db import migrations

RUN_AGENDAS = [
    ("wagtailadmin", "access_admin"),
    ("bookings", "view_agenda"),
    ("bookings", "change_agenda"),
    ("bookings", "view_session"),
    ("bookings", "add_session"),
    ("bookings", "change_session"),
    ("bookings", "view_deskabsence"),
    ("bookings", "add_deskabsence"),
    ("bookings", "change_deskabsence"),
    ("bookings", "delete_deskabsence"),
    ("bookings", "view_booking"),
    ("bookings", "add_booking"),
    ("bookings", "change_booking"),
    ("bookings", "view_closure"),
    ("bookings", "add_closure"),
]
GRANTS = {
    "Accueil": [*RUN_AGENDAS, ("bookings", "add_agenda")],
    "Rédacteur de service": RUN_AGENDAS,
}
NOTHING = ("Communication", "Élus", "Régie")


def _ensure_permissions(apps):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_label in ("bookings", "wagtailadmin"):
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
    bookings = Permission.objects.filter(content_type__app_label="bookings")
    for group in Group.objects.filter(name__in=NOTHING):
        group.permissions.remove(*bookings)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    bookings = Permission.objects.filter(content_type__app_label="bookings")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*bookings)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_familymember"),
        ("bookings", "0001_initial"),
        ("core", "0002_service"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
