"""Éditeurs see search analytics and manage promoted results (« sélection de la rédaction »)."""

from django.db import migrations

PERMISSIONS = [
    ("search", "searchqueryday", "view_searchqueryday"),
    ("wagtailsearchpromotions", "searchpromotion", "add_searchpromotion"),
    ("wagtailsearchpromotions", "searchpromotion", "change_searchpromotion"),
    ("wagtailsearchpromotions", "searchpromotion", "delete_searchpromotion"),
    ("wagtailsearchpromotions", "query", "view_query"),
]


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
        ("search", "0002_fulltext_indexes"),
        ("cms", "0002_editors_and_moderators_groups"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
