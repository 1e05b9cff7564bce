"""The French default taxonomy (innovations/data/taxonomy.json): 14 domains with
their sub-themes, publics and methods. Editors maintain it afterwards in the admin
(Taxonomie); codes are stable, labels may change. Existing codes are left alone."""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def seed(apps, schema_editor):
    ThemeDomain = apps.get_model("innovations", "ThemeDomain")
    Theme = apps.get_model("innovations", "Theme")
    Public = apps.get_model("innovations", "Public")
    Method = apps.get_model("innovations", "Method")
    data = json.loads(SEED.read_text(encoding="utf-8"))
    for order, item in enumerate(data["domains"]):
        domain, _ = ThemeDomain.objects.get_or_create(
            code=item["code"],
            defaults={
                "label": item["label"],
                "description": item.get("description", ""),
                "sort_order": order,
            },
        )
        for sub_order, sub in enumerate(item["subthemes"]):
            Theme.objects.get_or_create(
                code=sub["code"],
                defaults={"label": sub["label"], "domain": domain, "sort_order": sub_order},
            )
    for model, key in ((Public, "publics"), (Method, "methods")):
        for order, item in enumerate(data[key]):
            model.objects.get_or_create(
                code=item["code"], defaults={"label": item["label"], "sort_order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("innovations", "0002_projects_taxonomy_sources")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
