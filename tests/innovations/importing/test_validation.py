"""One bad optional value never rejects a project: it is dropped with a warning in
the report. A row is rejected only for its key, its title or its place, and all
its problems are reported at once. Ragged spreadsheet rows are read, not refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from innovations.models import ImportRun, ProjectPage, RunStatus, Source, Trust
from innovations.services.imports import import_file, run_summary

pytestmark = pytest.mark.django_db

HEADER = "id;nom;cp;commune;site;mail;theme;annee\n"
MAPPING = {
    "key": ["id"],
    "fields": {
        "title": "nom",
        "website": "site",
        "contact_email": "mail",
        "themes": "theme",
        "year_started": {"from": "annee", "transforms": ["year"]},
    },
    "location": {"postal_code": "cp", "commune": "commune"},
}
THEME = "numerique.inclusion-numerique"


def line(key, title, *, cp="29200", commune="Brest", site="", mail="", theme=THEME, year=""):
    return f"{key};{title};{cp};{commune};{site};{mail};{theme};{year}\n"


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT, mapping=MAPPING
    )


@pytest.fixture
def write(tmp_path):
    def write(text: str, name="export.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_bad_optional_values_are_dropped_with_a_warning_and_the_project_kept(
    source, editor, write, client
):
    path = write(
        HEADER
        + line("1", "Épicerie", mail="jérôme.dupont@exemple.fr")
        + line("2", "Atelier", site="http://0344295224")
        + line("3", "Jardin", site='"jardin.example.org;https://facebook.com/jardin"')
        + line("4", "Repair café", theme="code-inconnu")
        + line("5", "Ressourcerie", year="un jour")
    )
    run = import_file(source=source, path=path, user=editor)
    assert run.status == RunStatus.DONE
    assert (run.created, run.rejected) == (5, 0)
    warnings = {(e.row, e.field): e.reason for e in run.row_errors.filter(severity="warning")}
    assert "adresse e-mail invalide" in warnings[(2, "contact_email")]
    assert "adresse web invalide « http://0344295224 »" in warnings[(3, "website")]
    assert "la première est gardée" in warnings[(4, "website")]
    assert "code inconnu" in warnings[(5, "themes")]
    assert "ne contient pas d'année" in warnings[(6, "year_started")]
    assert run.warnings == 5
    assert ProjectPage.objects.get(title="Épicerie").contact_email == ""
    assert ProjectPage.objects.get(title="Atelier").website == ""
    assert ProjectPage.objects.get(title="Jardin").website == "https://jardin.example.org"
    assert list(ProjectPage.objects.get(title="Repair café").themes.all()) == []
    assert ProjectPage.objects.get(title="Ressourcerie").year_started is None
    assert "5 avertissements" in run_summary(run=run)

    client.force_login(editor)
    html = client.get(f"/admin/imports/import/{run.pk}/").content.decode()
    assert "Avertissements : valeur ignorée, projet gardé" in html
    assert "http://0344295224" in html
    assert "<td>site web</td>" in html and "<td>e-mail de contact</td>" in html  # labels


def test_every_problem_of_a_row_is_reported_at_once(source, editor, write):
    run = import_file(
        source=source,
        path=write(HEADER + line("", "", cp="", commune="Nulle-Part", mail="pas une adresse")),
        user=editor,
    )
    assert run.rejected == 1
    problems = {(e.field, e.severity) for e in run.row_errors.all()}
    assert problems == {
        ("key", "error"),
        ("title", "error"),
        ("commune", "error"),
        ("contact_email", "warning"),
    }


def test_a_ragged_spreadsheet_export_is_imported(
    source, editor, client, django_capture_on_commit_callbacks
):
    # Rows stop at their last filled cell, the last one too (no final line break).
    content = HEADER + "1;Épicerie;29200;Brest\n2;Atelier;35000;Rennes;;;" + THEME + "\n3;Jardin"
    content += ";29200;Brest"
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/imports/source/{source.pk}/importer/",
            {"file": SimpleUploadedFile("lieux.csv", content.encode(), "text/csv")},
        )
    run = ImportRun.objects.get()
    assert run.status == RunStatus.DONE, run.message
    assert (run.created, run.rejected) == (3, 0)
