"""The « Modération des projets » workflow: one group-approval task for the
Modérateurs and Éditeurs groups. setup_carrefour attaches it to the projects page
(/projets/), so every project submitted from the public site goes through it.

Éditeurs also get to maintain the taxonomy and the partner sources (snippets)."""

from django.db import migrations

WORKFLOW = "Modération des projets"
TASK = "Relecture par la modération"


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    groups = list(Group.objects.filter(name__in=["Modérateurs", "Éditeurs"]))
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.set(groups)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task_id=task.pk, defaults={"sort_order": 0}
    )

    editors = Group.objects.filter(name="Éditeurs").first()
    if editors is None:
        return
    for model in ("themedomain", "theme", "public", "method", "source"):
        content_type, _ = ContentType.objects.get_or_create(app_label="innovations", model=model)
        for action in ("add", "change", "delete"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            editors.permissions.add(permission)


def remove(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("innovations", "0003_seed_taxonomy"),
        ("cms", "0002_editors_and_moderators_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create, remove)]
