"""Editors (« Éditeurs ») manage selections and topic introductions; moderators do
not curate (curation/wagtail_hooks.py keeps them off the home page and dossiers)."""

from django.db import migrations

EDITORS = "Éditeurs"
MODELS = ("selection", "topicintroduction")


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    editors = Group.objects.filter(name=EDITORS).first()
    if editors is None:
        return
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="curation", model=model)
        for action in ("add", "change", "delete", "view"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_initial"),
        ("cms", "0002_editors_and_moderators_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
