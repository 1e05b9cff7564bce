"""The mapping format: regular-expression splits, placeholders read as empty,
combined conditions, defaults from another column, named values shared by several
fields; columns the file lacks are an error; the run's figures add up."""

from __future__ import annotations

import json

import pytest

from innovations.importing.mapping import MappingError, compile_mapping
from innovations.models import ProjectPage, RunStatus, Source, Trust
from innovations.services.imports import import_file, run_summary

pytestmark = pytest.mark.django_db


def apply(spec: dict, data: dict):
    return compile_mapping({"key": ["id"], "fields": {"title": "nom"}, **spec}).apply(2, data)


def test_split_regex_splits_on_a_pattern():
    record = apply(
        {
            "fields": {
                "title": "nom",
                "tags": {
                    "from": "t",
                    "transforms": [{"split_regex": r"\s*(?:[;/]|\bet\b)\s*"}, "lower"],
                },
            }
        },
        {"id": "1", "nom": "A", "t": "Vélo / Réparation ; Jardin et Compost"},
    )
    assert record.values["tags"] == ["vélo", "réparation", "jardin", "compost"]
    with pytest.raises(MappingError, match="expression régulière invalide"):
        compile_mapping(
            {"key": "id", "fields": {"title": {"from": "n", "transforms": [{"split_regex": "("}]}}}
        )


def test_placeholders_read_as_empty():
    spec = {
        "null_values": [None, "NR", "-"],
        "fields": {
            "title": "nom",
            "website": {"from": "site", "default": {"from": "site2"}},
            "summary": {"from": "resume", "null_values": ["Non communiqué"]},
        },
        "skip_if": [{"column": "etat", "empty": True}],
    }
    record = apply(
        spec,
        {
            "id": "1",
            "nom": "A",
            "site": "nr",
            "site2": "b.example",
            "resume": "Non communiqué",
            "etat": "ouvert",
        },
    )
    assert record.values["website"] == "b.example"  # « nr » is empty: the default column
    assert record.values["summary"] is None
    assert apply(spec, {"id": "1", "nom": "A", "etat": "-"}).skipped  # « - » is empty


def test_when_with_not_any_all():
    spec = {
        "fields": {
            "title": "nom",
            "legal_status": {
                "value": "association",
                "when": {
                    "any": [
                        {"column": "type", "equals": "Association"},
                        {"column": "type", "equals": "Asso loi 1901"},
                    ]
                },
            },
            "stage": {
                "value": "essaimage",
                "when": {
                    "all": [
                        {"column": "sites", "matches": r"\d"},
                        {"not": {"column": "ferme", "equals": "oui"}},
                    ]
                },
                "default": "consolidation",
            },
        }
    }
    record = apply(
        spec, {"id": "1", "nom": "A", "type": "asso loi 1901", "sites": "3", "ferme": "non"}
    )
    assert (record.values["legal_status"], record.values["stage"]) == ("association", "essaimage")
    record = apply(spec, {"id": "1", "nom": "A", "type": "SCOP", "sites": "3", "ferme": "oui"})
    assert (record.values["legal_status"], record.values["stage"]) == (None, "consolidation")


def test_named_values_are_shared_by_several_fields():
    spec = {
        "values": {
            "cp": {"from": "adresse", "transforms": [{"regex": r"\b(\d{5})\b"}]},
            "ville": {"from": "adresse", "transforms": [{"regex": r"\d{5}\s+(.+)$"}]},
            "lieu": {"from": ["$cp", "$ville"], "join": " "},
        },
        "fields": {
            "title": "nom",
            "summary": {
                "from": "$lieu",
                "transforms": [{"template": "Lieu de médiation à {value}."}],
            },
        },
        "location": {"postal_code": "$cp", "commune": "$ville", "address": "adresse"},
    }
    record = apply(spec, {"id": "1", "nom": "A", "adresse": "2 rue Haute 29200 Brest"})
    assert record.values["summary"] == "Lieu de médiation à 29200 Brest."
    assert (record.location["postal_code"], record.location["commune"]) == ("29200", "Brest")
    with pytest.raises(MappingError, match="valeur nommée inconnue « \\$ailleurs »"):
        compile_mapping({"key": "id", "fields": {"title": "$ailleurs"}})


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire",
        slug="reseau",
        trust=Trust.DIRECT,
        mapping={"key": ["id"], "fields": {"title": "nom"}, "location": {"commune": "ville"}},
    )


def test_headers_and_mapping_columns_are_read_without_surrounding_spaces(source, editor, tmp_path):
    # A spreadsheet exported to JSON keeps « nom  » ; the editor typed « ville  ».
    source.mapping = {"key": ["id"], "fields": {"title": "nom"}, "location": {"commune": "ville "}}
    source.save()
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": 1, "nom ": "Épicerie", " ville": "Brest"}]))
    run = import_file(source=source, path=path, user=editor)
    assert (run.status, run.created, run.rejected) == (RunStatus.DONE, 1, 0)
    assert ProjectPage.objects.get().title == "Épicerie"


def test_a_mapping_naming_a_column_the_file_lacks_is_an_error_at_dry_run(source, editor, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id;titre;commune\n1;Épicerie;Brest\n", encoding="utf-8")
    run = import_file(source=source, path=path, user=editor, dry_run=True)
    assert run.status == RunStatus.FAILED
    assert "colonnes absentes du fichier : « nom », « ville »" in run.message
    assert "Colonnes du fichier : « commune », « id », « titre »" in run.message
    assert not run.row_errors.exists()  # not « titre manquant » on every row


def test_the_run_summary_adds_up(source, editor, tmp_path):
    source.mapping = {
        **source.mapping,
        "skip_if": [{"column": "etat", "equals": "fermé"}],
        "fields": {"title": "nom", "website": "site"},
    }
    source.save()
    path = tmp_path / "export.csv"
    path.write_text(
        "id;nom;ville;etat;site\n"
        "1;Épicerie;Brest;;\n"
        "1;Épicerie;Rennes;;\n"  # another place of project 1
        "2;;Brest;;\n"  # rejected
        "3;Atelier;Brest;fermé;\n"  # skipped
        "4;Jardin;Brest;;http://exa mple\n",  # warning
        encoding="utf-8",
    )
    run = import_file(source=source, path=path, user=editor)
    figures = (run.records_read, run.created, run.merged, run.rejected, run.skipped, run.warnings)
    assert figures == (5, 2, 1, 1, 1, 1)
    assert run.records_read == (
        run.created
        + run.updated
        + run.unchanged
        + run.held
        + run.merged
        + run.rejected
        + run.skipped
    )
    assert run_summary(run=run).startswith(
        "Import — reseau : Terminé. 5 enregistrements lus = 2 créés + 0 mis à jour + 0 inchangés "
        "+ 0 retenus (identifiant réutilisé) + 1 lignes regroupées + 1 lignes rejetées "
        "+ 1 ignorées. 1 avertissements"
    )
    again = import_file(source=source, path=path, user=editor)  # unchanged rows not re-read
    assert (again.records_read, again.unchanged, again.merged, again.rejected, again.skipped) == (
        5,
        2,
        1,
        1,
        1,
    )


def test_the_documented_format_example_compiles():
    from pathlib import Path

    import yaml
    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "docs" / "mappings" / "README.md").read_text()
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = compile_mapping(yaml.safe_load(example))
    assert set(mapping.named) == {"cp", "ville"}
    record = mapping.apply(
        2,
        {
            "ID_LieuMed": "LMN1",
            "NOM_STRUCTURE": "Médiathèque",
            "ADRESSE": "1 rue X 49000 Angers",
            "SITE": "NR",
            "FACEBOOK": "facebook.com/mediatheque",
            "Accueil": "oui",
        },
    )
    assert record.location["postal_code"] == "49000" and record.location["commune"] == "Angers"
    assert record.values["website"] == "https://facebook.com/mediatheque"
    assert "ADRESSE" in mapping.missing_columns({"ID_LieuMed", "NOM_STRUCTURE"})
