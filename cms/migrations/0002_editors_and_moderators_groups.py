"""Groups « Éditeurs » and « Modérateurs » with the permissions their work needs.

Wagtail's own migrations create "Editors" and "Moderators" (and a default
workflow whose approval task belongs to "Moderators"): they are renamed, so the
default workflow keeps pointing at our moderators, then completed.

- Éditeurs curate: create, edit and publish any page, manage images and
  documents, site settings, redirects and (later) taxonomies and partner sources.
- Modérateurs review submissions: edit and publish (approve) any page, choose
  images, but change no site-wide configuration.
"""

from django.db import migrations

EDITORS = "Éditeurs"
MODERATORS = "Modérateurs"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    access_admin = _permission(
        apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"
    )
    root_page = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()

    def page_perm(codename):
        return _permission(
            apps, "wagtailcore", "page", codename, f"Can {codename.replace('_', ' ')}"
        )

    def group(name, wagtail_name):
        existing = Group.objects.filter(name=wagtail_name).first()
        if existing is not None and not Group.objects.filter(name=name).exists():
            existing.name = name
            existing.save(update_fields=["name"])
            return existing
        return Group.objects.get_or_create(name=name)[0]

    editors = group(EDITORS, "Editors")
    moderators = group(MODERATORS, "Moderators")

    plan = {
        editors: {
            "pages": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
            "images": ["add_image", "change_image", "choose_image"],
            "documents": ["add_document", "change_document", "choose_document"],
            "model": [
                ("cms", "siteshellsettings", "change_siteshellsettings"),
                ("wagtailredirects", "redirect", "add_redirect"),
                ("wagtailredirects", "redirect", "change_redirect"),
                ("wagtailredirects", "redirect", "delete_redirect"),
            ],
        },
        moderators: {
            "pages": ["change_page", "publish_page", "lock_page", "unlock_page"],
            "images": ["add_image", "choose_image"],
            "documents": ["choose_document"],
            "model": [],
        },
    }
    for group, perms in plan.items():
        group.permissions.add(access_admin)
        for app_label, model, codename in perms["model"]:
            group.permissions.add(
                _permission(apps, app_label, model, codename, codename.replace("_", " "))
            )
        if root_page is not None:
            for codename in perms["pages"]:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=page_perm(codename)
                )
        if root_collection is not None:
            for app_label, model, codenames in (
                ("wagtailimages", "image", perms["images"]),
                ("wagtaildocs", "document", perms["documents"]),
            ):
                for codename in codenames:
                    permission = _permission(apps, app_label, model, codename, codename)
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )


def rename_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=EDITORS).update(name="Editors")
    Group.objects.filter(name=MODERATORS).update(name="Moderators")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_pages_and_shell_settings"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, rename_back)]
