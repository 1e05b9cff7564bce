"""Éditeurs edit the synonyms list (« Synonymes » in the settings menu)."""

from django.db import migrations

PERMISSIONS = [
    ("search", "searchsynonym", f"{action}_searchsynonym")
    for action in ("add", "change", "delete", "view")
] + [("search", "searchdeadletter", "view_searchdeadletter")]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name="Éditeurs").first()
    if editors is None:
        return
    for app_label, model, codename in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_dead_letters_and_synonyms"),
        ("cms", "0002_editors_and_moderators_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
