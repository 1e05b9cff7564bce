"""A wrong or partial file never empties or overwrites a source silently.

- An uploaded file adds and updates only, unless the editor says it is the
  source's complete list (admin checkbox, ``--complete``); feeds are complete.
- Every project a run would unpublish is named, with links.
- Past IMPORT_UNPUBLISH_MAX_SHARE of the source's projects (unpublications, keys
  that fold several projects, identifiers reused), the run stops before writing
  and asks for a confirmation (admin step, ``--confirm``).
- Rows sharing a key must describe one project; a record whose title and
  organisation both differ from its project is held (« identifiant réutilisé »).
- The preview shows labels, not codes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from innovations.importing.mapping import compile_mapping
from innovations.importing.readers import read_bytes
from innovations.importing.records import Referential, prepare
from innovations.models import ImportRun, ProjectPage, RunStatus, Source, Trust
from innovations.models.imports import HeldStatus, ImportHeldRecord
from innovations.services.imports import import_file

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
HEADER = "id;nom;structure;cp;commune;theme\n"
MAPPING = {
    "key": ["id"],
    "fields": {"title": "nom", "structure_name": "structure", "themes": "theme"},
    "location": {"postal_code": "cp", "commune": "commune"},
}
THEME = "numerique.inclusion-numerique"


def line(key, title, structure="", *, cp="23000", commune="Guéret", theme=THEME) -> str:
    return f"{key};{title};{structure};{cp};{commune};{theme}\n"


def projects(count: int, *, start: int = 1) -> str:
    return "".join(
        line(str(n), f"Projet numéro {n}", f"Structure {n}") for n in range(start, start + count)
    )


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


def live_titles(source) -> set[str]:
    return set(
        ProjectPage.objects.filter(source_records__source=source, live=True).values_list(
            "title", flat=True
        )
    )


def upload(text: str):
    return SimpleUploadedFile("lieux.csv", text.encode(), content_type="text/csv")


# --- partial and complete files ------------------------------------------------------


def test_a_partial_file_adds_and_updates_but_unpublishes_nothing(
    source, editor, write, client, django_capture_on_commit_callbacks
):
    import_file(source=source, path=write(HEADER + projects(7)), user=editor)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/imports/source/{source.pk}/importer/",
            {"file": upload(HEADER + projects(4) + line("8", "Nouveau projet")), "dry_run": ""},
        )
    run = ImportRun.objects.latest("pk")
    assert (run.status, run.complete) == (RunStatus.DONE, False)
    assert (run.created, run.unchanged, run.unpublished) == (1, 4, 0)
    assert run.plan["absent"] == 3 and run.plan["unpublish"] == []
    assert len(live_titles(source)) == 8  # the 3 absent projects are still online
    page = client.get(f"/admin/imports/import/{run.pk}/").content.decode()
    assert "fichier partiel" in page


def test_the_upload_form_offers_the_complete_file_checkbox(client, editor, source):
    client.force_login(editor)
    html = client.get(f"/admin/imports/source/{source.pk}/importer/").content.decode()
    assert 'name="complete"' in html and 'type="checkbox"' in html
    assert "Fichier complet" in html


def test_a_complete_file_dry_run_names_every_project_it_would_unpublish_with_links(
    source, editor, write, client, django_capture_on_commit_callbacks
):
    import_file(source=source, path=write(HEADER + projects(10)), user=editor)
    gone = {
        title: ProjectPage.objects.get(title=title)
        for title in ("Projet numéro 9", "Projet numéro 10")
    }
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/imports/source/{source.pk}/importer/",
            {"file": upload(HEADER + projects(8)), "dry_run": "on", "complete": "on"},
        )
    dry = ImportRun.objects.latest("pk")
    assert (dry.dry_run, dry.complete, dry.unpublished) == (True, True, 2)
    assert {item["title"] for item in dry.plan["unpublish"]} == set(gone)
    assert not dry.plan["needs_confirmation"]  # 2 of 10: within the 20 % allowed
    html = client.get(f"/admin/imports/import/{dry.pk}/").content.decode()
    for title, project in gone.items():
        assert title in html
        assert f'href="/admin/pages/{project.pk}/edit/"' in html
        assert f'href="{project.url}"' in html
    assert len(live_titles(source)) == 10  # a dry run writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/imports/import/{dry.pk}/lancer/")
    real = ImportRun.objects.latest("pk")
    assert (real.status, real.complete, real.unpublished) == (RunStatus.DONE, True, 2)
    assert live_titles(source).isdisjoint(gone)


def test_unpublishing_more_than_the_allowed_share_stops_for_a_confirmation_in_the_admin(
    source, editor, write, client, django_capture_on_commit_callbacks
):
    import_file(source=source, path=write(HEADER + projects(7)), user=editor)
    client.force_login(editor)
    changed = HEADER + projects(3) + line("4", "Projet numéro 4, renommé", "Structure 4")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/imports/source/{source.pk}/importer/",
            {"file": upload(changed), "complete": "on"},
        )
    stopped = ImportRun.objects.latest("pk")
    assert stopped.status == RunStatus.CONFIRM
    assert stopped.plan["share_percent"] == pytest.approx(42.9)
    assert len(live_titles(source)) == 7  # nothing written…
    assert ProjectPage.objects.filter(title="Projet numéro 4, renommé").count() == 0  # …at all
    html = client.get(f"/admin/imports/import/{stopped.pk}/").content.decode()
    for n in (5, 6, 7):
        assert f"Projet numéro {n}" in html
    assert 'name="confirm"' in html and "Confirmer et importer" in html

    # Not ticked: refused, nothing started.
    response = client.post(f"/admin/imports/import/{stopped.pk}/lancer/", follow=True)
    assert "cochez la confirmation" in response.content.decode()
    assert ImportRun.objects.latest("pk") == stopped

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/imports/import/{stopped.pk}/lancer/", {"confirm": "on"})
    confirmed = ImportRun.objects.latest("pk")
    assert (confirmed.status, confirmed.confirmed, confirmed.complete) == (
        RunStatus.DONE,
        True,
        True,
    )
    assert (confirmed.updated, confirmed.unpublished) == (1, 3)
    assert live_titles(source) == {
        "Projet numéro 1",
        "Projet numéro 2",
        "Projet numéro 3",
        "Projet numéro 4, renommé",
    }


def test_the_allowed_share_is_a_setting(source, editor, write, settings):
    settings.IMPORT_UNPUBLISH_MAX_SHARE = 0.5
    import_file(source=source, path=write(HEADER + projects(7)), user=editor)
    run = import_file(source=source, path=write(HEADER + projects(4)), user=editor, complete=True)
    assert (run.status, run.unpublished) == (RunStatus.DONE, 3)  # 43 % < 50 %


def test_the_allowed_share_is_read_from_the_environment():
    def share(value: str) -> subprocess.CompletedProcess:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "PYTHONPATH": str(ROOT),
            "IMPORT_UNPUBLISH_MAX_SHARE": value,
        }
        return subprocess.run(  # noqa: S603 — fixed arguments
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                "from django.conf import settings; print(settings.IMPORT_UNPUBLISH_MAX_SHARE)",
            ],
            capture_output=True,
            text=True,
            env=environment,
            cwd=ROOT,
            timeout=120,
            check=False,
        )

    assert share("0.35").stdout.strip().splitlines()[-1] == "0.35"
    refused = share("beaucoup")
    assert refused.returncode != 0
    assert "IMPORT_UNPUBLISH_MAX_SHARE" in refused.stderr.strip().splitlines()[-1]


def test_the_command_line_needs_complete_to_unpublish_and_confirm_past_the_share(
    source, editor, write
):
    import_file(source=source, path=write(HEADER + projects(7)), user=editor)
    four = write(HEADER + projects(4))
    call_command("import_source", "reseau", str(four), stdout=io.StringIO())
    assert len(live_titles(source)) == 7  # a file without --complete unpublishes nothing

    out = io.StringIO()
    call_command("import_source", "reseau", str(four), "--complete", "--dry-run", stdout=out)
    text = out.getvalue()
    for n in (5, 6, 7):
        assert f"à dépublier : « Projet numéro {n} »" in text
    assert "demandera --confirm" in text

    out = io.StringIO()
    with pytest.raises(CommandError, match="--confirm"):
        call_command("import_source", "reseau", str(four), "--complete", stdout=out)
    assert "à dépublier : « Projet numéro 7 »" in out.getvalue()
    assert len(live_titles(source)) == 7

    out = io.StringIO()
    call_command("import_source", "reseau", str(four), "--complete", "--confirm", stdout=out)
    assert "3 dépubliés" in out.getvalue()
    assert len(live_titles(source)) == 4


def test_feeds_are_complete_by_definition_and_a_sync_stops_past_the_share(
    source, editor, write, monkeypatch
):
    # The feed reader is where runs execute (innovations/services/import_runs.py).
    from innovations.services import import_runs

    import_file(source=source, path=write(HEADER + projects(10)), user=editor)
    source.feed_url = "https://partenaire.example.org/api/lieux"
    source.save()
    feed = {"text": HEADER + projects(9)}
    monkeypatch.setattr(
        import_runs,
        "read_http_json",
        lambda url, **kwargs: read_bytes(feed["text"].encode(), filename="flux.csv"),
    )
    out = io.StringIO()
    call_command("sync_sources", stdout=out)
    run = ImportRun.objects.latest("pk")
    assert (run.from_feed, run.complete, run.status, run.unpublished) == (
        True,
        True,
        RunStatus.DONE,
        1,
    )
    assert "Projet numéro 10" not in live_titles(source)

    feed["text"] = HEADER + projects(3)  # a feed that lost most of its records
    out = io.StringIO()
    call_command("sync_sources", stdout=out)
    stopped = ImportRun.objects.latest("pk")
    assert stopped.status == RunStatus.CONFIRM  # cron never confirms
    assert "à dépublier : « Projet numéro 9 »" in out.getvalue()
    assert len(live_titles(source)) == 9

    with pytest.raises(CommandError, match="--confirm"):
        call_command("import_source", "reseau", stdout=io.StringIO())
    call_command("import_source", "reseau", "--confirm", stdout=io.StringIO())
    assert len(live_titles(source)) == 3


# --- keys that fold several projects ----------------------------------------------------


def _second_export(groups: int, per_group: int) -> str:
    """The identifier column now holds ``groups`` values, each over ``per_group`` rows
    of different projects."""
    return HEADER + "".join(
        line(str(g), f"Autre projet {g}-{n}", f"Autre structure {g}-{n}")
        for g in range(1, groups + 1)
        for n in range(per_group)
    )


def test_rows_sharing_a_key_must_describe_one_project(source):
    rows = read_bytes(_second_export(3, 7).encode(), filename="x.csv").records
    prepared = prepare(compile_mapping(MAPPING), rows, Referential())
    assert prepared.projects == []
    assert len(prepared.rejected_rows) == 21
    reasons = {e.reason for e in prepared.errors if e.key == "3"}
    assert len(reasons) == 1
    assert reasons.pop().startswith(
        "l'identifiant 3 regroupe 7 projets différents : « Autre projet 3-0 » ; "
    )
    # Several places of one project (same title and organisation) still merge.
    same = HEADER + line("1", "Ressourcerie", "Asso") + line("1", "Ressourcerie", "", cp="35000")
    prepared = prepare(
        compile_mapping(MAPPING),
        read_bytes(same.encode(), filename="x.csv").records,
        Referential(),
    )
    assert [len(p.rows) for p in prepared.projects] == [2] and prepared.merged == 1


def test_a_later_export_whose_key_no_longer_identifies_is_stopped_and_listed(source, editor, write):
    import_file(source=source, path=write(HEADER + projects(150)), user=editor)
    export = write(_second_export(19, 8))  # 152 rows, 19 identifiers
    run = import_file(source=source, path=export, user=editor, complete=True)
    assert run.status == RunStatus.CONFIRM
    assert run.rejected == 152 and run.updated == 0  # would have been « 19 mis à jour »
    assert len(run.plan["folded"]) == 19
    assert len(run.plan["unpublish"]) == 131
    assert ProjectPage.objects.get(title="Projet numéro 3").live  # nothing written

    # Even confirmed, the folded keys apply nothing: their projects keep their content.
    run = import_file(source=source, path=export, user=editor, complete=True, confirmed=True)
    assert (run.status, run.created, run.updated, run.unpublished) == (RunStatus.DONE, 0, 0, 131)
    assert {f"Projet numéro {n}" for n in range(1, 20)} == live_titles(source)


# --- identifiers reused -----------------------------------------------------------------------


def test_a_record_whose_title_and_organisation_both_changed_is_held(source, editor, write, client):
    others = projects(9, start=10)
    import_file(
        source=source,
        path=write(HEADER + line("7", "Épicerie solidaire", "Association du Port") + others),
        user=editor,
    )
    project = ProjectPage.objects.get(title="Épicerie solidaire")
    reused = write(HEADER + line("7", "Club de judo", "Judo Club des Monts") + others)
    run = import_file(source=source, path=reused, user=editor)
    assert run.status == RunStatus.DONE  # 1 of 10 projects: within the share
    assert (run.held, run.updated, run.unchanged) == (1, 0, 9)
    assert run.plan["reused"][0]["new_title"] == "Club de judo"
    project.refresh_from_db()
    assert project.title == "Épicerie solidaire"  # never applied silently
    again = import_file(source=source, path=reused, user=editor)
    assert again.held == 1
    held = ImportHeldRecord.objects.get()  # one decision to take, not two
    assert (held.status, held.current_title, held.partner_title) == (
        HeldStatus.PENDING,
        "Épicerie solidaire",
        "Club de judo",
    )

    client.force_login(editor)
    assert "1 identifiant réutilisé à trancher" in client.get("/admin/imports/").content.decode()
    html = client.get("/admin/imports/identifiants-reutilises/").content.decode()
    assert "Club de judo" in html and "Épicerie solidaire" in html
    assert "Judo Club des Monts" in html
    run_page = client.get(f"/admin/imports/import/{run.pk}/").content.decode()
    assert "Identifiants réutilisés" in run_page and "Club de judo" in run_page
    client.post(f"/admin/imports/identifiants-reutilises/{held.pk}/", {"decision": "same"})
    project.refresh_from_db()
    assert (project.title, project.structure_name) == ("Club de judo", "Judo Club des Monts")
    after = import_file(source=source, path=reused, user=editor)
    assert (after.held, after.unchanged) == (0, 10)


def test_refusing_a_reused_identifier_keeps_the_old_project_and_creates_the_new(
    source, editor, write, client
):
    import_file(
        source=source,
        path=write(HEADER + line("7", "Épicerie solidaire", "Association du Port")),
        user=editor,
    )
    old = ProjectPage.objects.get()
    reused = write(HEADER + line("7", "Club de judo", "Judo Club des Monts"))
    stopped = import_file(source=source, path=reused, user=editor)
    assert stopped.status == RunStatus.CONFIRM  # the source's only project: 100 %
    assert not ImportHeldRecord.objects.exists()  # stopped before writing anything
    import_file(source=source, path=reused, user=editor, confirmed=True)
    held = ImportHeldRecord.objects.get()
    client.force_login(editor)
    client.post(f"/admin/imports/identifiants-reutilises/{held.pk}/", {"decision": "other"})
    old.refresh_from_db()
    assert old.live and old.title == "Épicerie solidaire"
    new = ProjectPage.objects.get(title="Club de judo")
    assert new.live
    record = new.source_records.get()
    assert record.source_identifier == "7"
    assert import_file(source=source, path=reused, user=editor).unchanged == 1


def test_a_new_title_under_the_same_organisation_is_an_ordinary_update(source, editor, write):
    import_file(
        source=source,
        path=write(HEADER + line("7", "Épicerie", "Association du Port")),
        user=editor,
    )
    run = import_file(
        source=source,
        path=write(HEADER + line("7", "Épicerie solidaire du port", "Association du Port")),
        user=editor,
    )
    assert (run.held, run.updated) == (0, 1)


# --- labels in the preview ----------------------------------------------------------------------


def test_the_preview_shows_labels_not_codes(source, editor, write, client):
    dry = import_file(
        source=source,
        path=write(HEADER + line("1", "Épicerie", "Asso")),
        user=editor,
        dry_run=True,
    )
    item = dry.preview[0]
    assert item["locations"] == ["Guéret (23)"]
    assert item["themes"] == ["Inclusion numérique"]
    client.force_login(editor)
    html = client.get(f"/admin/imports/import/{dry.pk}/").content.decode()
    assert "Guéret (23)" in html and "Inclusion numérique" in html
    assert "commune:23096" not in html and THEME not in html
