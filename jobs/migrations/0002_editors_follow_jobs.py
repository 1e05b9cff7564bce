"""Editors (« Éditeurs ») follow, start and cancel background jobs."""

from django.db import migrations

EDITORS = "Éditeurs"


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is None:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="jobs", model="job")
    for action in ("change", "view"):
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_job",
            defaults={"name": f"Can {action} tâche de fond"},
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("cms", "0002_editors_and_moderators_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
