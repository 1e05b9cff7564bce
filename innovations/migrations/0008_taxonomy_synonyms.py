"""Synonyms on each taxonomy term (query understanding: a search naming a term by
one of them finds the projects tagged with it), filled for the default taxonomy from
innovations/data/taxonomy.json. Synonyms an editor already wrote are kept."""

import json
from pathlib import Path

from django.db import migrations, models

SEED = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"
HELP = (
    "Autres façons de le dire, séparées par des virgules (par exemple, pour Seniors : "
    "personnes âgées, aînés, retraités). Une recherche qui en contient un trouve aussi "
    "les projets classés ici."
)


def fill_synonyms(apps, schema_editor):
    data = json.loads(SEED.read_text(encoding="utf-8"))
    seeds = {}
    for domain in data["domains"]:
        seeds[("ThemeDomain", domain["code"])] = domain.get("synonyms", [])
        for theme in domain["subthemes"]:
            seeds[("Theme", theme["code"])] = theme.get("synonyms", [])
    for model_name, key in (("Public", "publics"), ("Method", "methods")):
        for item in data[key]:
            seeds[(model_name, item["code"])] = item.get("synonyms", [])
    for (model_name, code), synonyms in seeds.items():
        if synonyms:
            model = apps.get_model("innovations", model_name)
            model.objects.filter(code=code, synonyms="").update(synonyms=", ".join(synonyms))


class Migration(migrations.Migration):
    dependencies = [
        ("innovations", "0007_taxonomy_english_labels"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="synonyms",
                field=models.TextField(blank=True, help_text=HELP, verbose_name="synonymes"),
            )
            for model_name in ("method", "public", "theme", "themedomain")
        ),
        migrations.RunPython(fill_synonyms, migrations.RunPython.noop),
    ]
