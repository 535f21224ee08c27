"""Staff groups and the moderation workflow.

Communication publishes everything and manages menus, identity and alerts; a Rédacteur de
service submits pages for moderation (per-section page permissions are granted to
section groups, see ``load_demo``); Accueil are front-desk agents; Élus read the back
office. Wagtail's default "Moderators"/"Editors" groups are replaced.
"""

from django.db import migrations

ADMIN = [("wagtailadmin", "access_admin")]
MEDIA_EDIT = ["add_image", "change_image", "choose_image", "delete_image"]
DOCS_EDIT = ["add_document", "change_document", "choose_document", "delete_document"]

GROUPS = {
    "Communication": {
        "model": ADMIN
        + [
            ("core", "change_communesettings"),
            ("core", "change_mainmenu"),
            ("core", "change_footer"),
            ("core", "add_alert"),
            ("core", "change_alert"),
            ("core", "delete_alert"),
            ("cms", "add_newscategory"),
            ("cms", "change_newscategory"),
            ("cms", "delete_newscategory"),
            ("cms", "add_eventcategory"),
            ("cms", "change_eventcategory"),
            ("cms", "delete_eventcategory"),
            ("cms", "add_act"),
            ("cms", "change_act"),
            ("cms", "publish_act"),
            ("cms", "view_act"),
            ("cms", "view_contactsubmission"),
            ("wagtailredirects", "add_redirect"),
            ("wagtailredirects", "change_redirect"),
            ("wagtailredirects", "delete_redirect"),
        ],
        "pages": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page",
                  "bulk_delete_page"],
        "collections": [("wagtailimages", MEDIA_EDIT), ("wagtaildocs", DOCS_EDIT)],
    },
    "Rédacteur de service": {
        "model": ADMIN + [("cms", "view_act")],
        "pages": [],
        "collections": [
            ("wagtailimages", ["add_image", "choose_image"]),
            ("wagtaildocs", ["add_document", "choose_document"]),
        ],
    },
    "Accueil": {
        "model": ADMIN + [("cms", "view_act"), ("cms", "view_contactsubmission")],
        "pages": [],
        "collections": [("wagtaildocs", ["choose_document"])],
    },
    "Élus": {
        "model": ADMIN + [("cms", "view_act")],
        "pages": [],
        "collections": [],
    },
}


def _ensure_permissions(apps):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        module = app_config.models_module
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = module


def create_groups(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    ContentType = apps.get_model("contenttypes", "ContentType")

    def perm(app_label, codename):
        if codename.startswith("publish_") and app_label != "wagtailcore":
            # Wagtail creates publish permissions of snippets after migrating; do it now.
            model = codename.removeprefix("publish_")
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename,
                defaults={"name": f"Can publish {model}"},
            )
            return permission
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    created = {}
    for name, spec in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        created[name] = group
        group.permissions.add(*[perm(app, code) for app, code in spec["model"]])
        for codename in spec["pages"]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=perm("wagtailcore", codename)
            )
        for app_label, codenames in spec["collections"]:
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=perm(app_label, codename)
                )

    # Moderation: pages submitted by anyone are approved by Communication.
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    task_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore",
                                                   model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name="Moderators approval").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Validation Communication",
                                                content_type=task_ct, active=True)
    else:
        task.name = "Validation Communication"
        task.save()
    task.groups.set([created["Communication"]])
    workflow = Workflow.objects.filter(name="Moderators approval").first()
    if workflow is None:
        workflow = Workflow.objects.create(name="Validation des publications", active=True)
    else:
        workflow.name = "Validation des publications"
        workflow.save()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root_page is not None:
        WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
    Group.objects.filter(name__in=["Moderators", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0001_initial"),
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
