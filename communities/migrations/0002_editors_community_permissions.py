"""Éditeurs create and edit communities, and read their events, announcements,
memberships and audit trail in the admin (read only: changes go through the
services). Code checks the permission (``communities.change_community``), never the
group's name; this migration only gives it to the group editors already belong to."""

from django.db import migrations

PERMISSIONS = [
    ("community", "add_community"),
    ("community", "change_community"),
    ("community", "delete_community"),
    ("community", "view_community"),
    ("event", "view_event"),
    ("announcement", "view_announcement"),
    ("auditentry", "view_auditentry"),
    ("membership", "view_membership"),
]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name="Éditeurs").first()
    if editors is None:
        return
    for model, codename in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label="communities", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": f"Can {codename.split('_')[0]} {model}"},
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_communities"),
        ("cms", "0002_editors_and_moderators_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
