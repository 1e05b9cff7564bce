"""English labels of the taxonomy (shown when the interface is in English): a field
on each term, filled for the default taxonomy from innovations/data/taxonomy.json.
A label an editor already wrote is kept; terms editors added keep an empty English
label (the French one is shown) until someone translates them in the admin."""

import json
from pathlib import Path

from django.db import migrations, models

SEED = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def fill_english_labels(apps, schema_editor):
    data = json.loads(SEED.read_text(encoding="utf-8"))
    english = {}
    for domain in data["domains"]:
        english[("ThemeDomain", domain["code"])] = domain.get("label_en", "")
        for theme in domain["subthemes"]:
            english[("Theme", theme["code"])] = theme.get("label_en", "")
    for model_name, key in (("Public", "publics"), ("Method", "methods")):
        for item in data[key]:
            english[(model_name, item["code"])] = item.get("label_en", "")
    for (model_name, code), label in english.items():
        if label:
            model = apps.get_model("innovations", model_name)
            model.objects.filter(code=code, label_en="").update(label_en=label)


class Migration(migrations.Migration):
    dependencies = [
        ("innovations", "0006_import_safety_warnings_held_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="method",
            name="label_en",
            field=models.CharField(
                blank=True,
                help_text="Montré quand l'interface est en anglais ; vide : le libellé français.",
                max_length=120,
                verbose_name="libellé en anglais",
            ),
        ),
        migrations.AddField(
            model_name="public",
            name="label_en",
            field=models.CharField(
                blank=True,
                help_text="Montré quand l'interface est en anglais ; vide : le libellé français.",
                max_length=120,
                verbose_name="libellé en anglais",
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="label_en",
            field=models.CharField(
                blank=True,
                help_text="Montré quand l'interface est en anglais ; vide : le libellé français.",
                max_length=120,
                verbose_name="libellé en anglais",
            ),
        ),
        migrations.AddField(
            model_name="themedomain",
            name="label_en",
            field=models.CharField(
                blank=True,
                help_text="Montré quand l'interface est en anglais ; vide : le libellé français.",
                max_length=120,
                verbose_name="libellé en anglais",
            ),
        ),
        migrations.RunPython(fill_english_labels, migrations.RunPython.noop),
    ]
