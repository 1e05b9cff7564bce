"""Partner imports fill replication sheets (``replication_*``) and « Inspiré de »
(``inspired_by``): bad values dropped with a warning naming the field, a team's
edit never overwritten, references resolved across the file (issue 16)."""

from __future__ import annotations

import pytest

from innovations.models import ProjectLineage, ProjectPage, ReplicationSheet, Source, Trust
from innovations.services.imports import import_file
from innovations.services.replication import SheetInput, replication_sheet_update

pytestmark = pytest.mark.django_db

HEADER = "id;nom;commune;cp;pret;copier;budget;licence;contact;origine\n"
MAPPING = {
    "version": 1,
    "key": ["id"],
    "fields": {
        "title": "nom",
        "replication_readiness": "pret",
        "replication_transferable": "copier",
        "replication_budget_range": "budget",
        "replication_licence": "licence",
        "replication_contact_email": "contact",
        "inspired_by": {"from": "origine", "transforms": [{"split": ","}]},
    },
    "location": {"commune": "commune", "postal_code": "cp"},
}


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT, mapping=MAPPING
    )


def write(tmp_path, text):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def imported(source, key):
    return ProjectPage.objects.get(
        source_records__source=source, source_records__source_identifier=key
    )


def test_sheet_and_lineage_imported_with_warnings_for_bad_values(source, editor, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "1;Épicerie solidaire;Brest;29200;Prêt à essaimer;Le kit;10k-50k;cc-by-sa;a@b.org;\n"
        + "2;Épicerie de Rennes;Rennes;35000;bientôt;;un million;;pas-une-adresse;1\n"
        + "3;Épicerie de Quimper;Brest;29200;modelisation;;;;;1,99,https://ailleurs.example/projets/inconnu/\n",
    )
    run = import_file(source=source, path=path, user=editor)
    assert run.created == 3
    sheet = imported(source, "1").replication_sheet
    assert (sheet.readiness, sheet.transferable, sheet.budget_range, sheet.licence) == (
        "prete",
        "Le kit",
        "10k-50k",
        "cc-by-sa",
    )
    warnings = {(e.key, e.field): e.reason for e in run.row_errors.filter(severity="warning")}
    assert "valeur inconnue « bientôt »" in warnings[("2", "replication_readiness")]
    assert "un million" in warnings[("2", "replication_budget_range")]
    assert "adresse e-mail invalide" in warnings[("2", "replication_contact_email")]
    origins = run.row_errors.filter(key="3", field="inspired_by").values_list("reason", flat=True)
    assert sorted(origins) == [
        "projet d'origine introuvable « 99 » : filiation ignorée",
        "projet d'origine introuvable « https://ailleurs.example/projets/inconnu/ » : "
        "filiation ignorée",
    ]
    origin = imported(source, "1")
    assert set(
        ProjectLineage.objects.filter(original=origin).values_list("replication_id", flat=True)
    ) == {imported(source, "2").pk, imported(source, "3").pk}


def test_a_team_edit_survives_the_next_import_and_removed_origins_go(source, editor, tmp_path):
    first = (
        HEADER
        + "1;Épicerie solidaire;Brest;29200;prete;Le kit;;;;\n"
        + "2;Épicerie de Rennes;Rennes;35000;;;;;;1\n"
    )
    import_file(source=source, path=write(tmp_path, first), user=editor)
    project = imported(source, "1")
    replication_sheet_update(
        project=project,
        actor=editor,
        data=SheetInput(readiness="prete", transferable="Le kit, revu par l'équipe."),
    )
    second = (
        HEADER
        + "1;Épicerie solidaire;Brest;29200;modelisation;Le kit v2;moins-10k;;;\n"
        + "2;Épicerie de Rennes;Rennes;35000;;;;;;\n"
    )
    import_file(source=source, path=write(tmp_path, second), user=editor)
    sheet = ReplicationSheet.objects.get(project=project)
    assert sheet.transferable == "Le kit, revu par l'équipe."  # the team's words stay
    assert sheet.readiness == "modelisation"  # not edited by the team: the partner's
    assert sheet.budget_range == "moins-10k"
    assert not ProjectLineage.objects.exists()  # the partner no longer lists it
