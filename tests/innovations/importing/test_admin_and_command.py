"""Editors run imports from the admin (upload, dry run, confirm, report, mapping,
conflicts, duplicates, API keys) and from the command line."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from innovations.models import (
    DuplicateCandidate,
    ImportConflict,
    ImportRun,
    PartnerApiKey,
    ProjectPage,
    RunStatus,
    Source,
    Trust,
)
from innovations.services.imports import import_file

pytestmark = pytest.mark.django_db

MAPPING = {
    "key": ["id"],
    "fields": {"title": "nom", "website": "site"},
    "location": {"commune": "commune"},
}
GOOD = "id,nom,site,commune\n1,Épicerie solidaire,,Brest\n2,,,Rennes\n3,Atelier vélo,,Rennes\n"


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT, mapping=MAPPING
    )


def upload(content: str, name="lieux.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_dry_run_then_confirm_from_the_admin(
    client, editor, source, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    index = client.get("/admin/imports/")
    assert "Réseau Partenaire" in index.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/imports/source/{source.pk}/importer/",
            {"file": upload(GOOD), "dry_run": "on"},
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/admin/imports/import/{run.pk}/")
    assert (run.status, run.dry_run, run.created, run.rejected) == (RunStatus.DONE, True, 2, 1)
    page = client.get(response.url).content.decode()
    assert "Épicerie solidaire" in page  # the preview
    assert "titre manquant" in page  # every rejected row with its reason
    assert not ProjectPage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/admin/imports/import/{run.pk}/lancer/")
    real = ImportRun.objects.exclude(pk=run.pk).get()
    assert confirmed.url.endswith(f"/admin/imports/import/{real.pk}/")
    assert (real.status, real.created) == (RunStatus.DONE, 2)
    assert ProjectPage.objects.filter(live=True).count() == 2

    report = client.get(f"/admin/imports/import/{real.pk}/rapport.csv")
    rows = list(
        csv.reader(
            io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert ["créés", "2"] in rows
    assert ["3", "2", "title", "titre manquant"] in rows


def test_running_import_page_refreshes_to_show_progress(client, editor, source):
    client.force_login(editor)
    run = ImportRun.objects.create(
        source=source, status=RunStatus.RUNNING, total=1000, processed=250
    )
    html = client.get(f"/admin/imports/import/{run.pk}/").content.decode()
    # Live without reloading the page (static/js/admin-live.js), a link without JS.
    assert 'data-live-refresh="3"' in html and "js/admin-live.js" in html
    assert 'http-equiv="refresh"' not in html  # WCAG 2.2.1: no timed reload
    assert "Actualiser" in html
    assert "25" in html and "<progress" in html
    run.status = RunStatus.DONE
    run.save()
    html = client.get(f"/admin/imports/import/{run.pk}/").content.decode()
    assert "data-live-refresh" not in html and "js/admin-live.js" not in html


def test_truncated_upload_fails_with_a_clear_message(
    client, editor, source, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/imports/source/{source.pk}/importer/",
            {"file": upload('id,nom,site,commune\n1,"Épicerie')},
        )
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "tronqué" in client.get(f"/admin/imports/import/{run.pk}/").content.decode()


def test_members_cannot_reach_the_imports_admin(client, user, source):
    client.force_login(user)
    assert client.get("/admin/imports/").status_code in (302, 403)
    response = client.post(f"/admin/imports/source/{source.pk}/importer/", {"file": upload(GOOD)})
    assert response.status_code in (302, 403)
    assert not ImportRun.objects.exists()


def test_mapping_is_exported_and_a_bad_one_refused(client, editor, source):
    client.force_login(editor)
    exported = client.get(f"/admin/imports/source/{source.pk}/correspondance/?format=yaml")
    assert "title: nom" in exported.content.decode()
    bad = client.post(
        f"/admin/imports/source/{source.pk}/correspondance/", {"text": "key: [id]\nfields: {}\n"}
    )
    assert bad.status_code == 200
    source.refresh_from_db()
    assert source.mapping == MAPPING  # nothing lost
    good = client.post(
        f"/admin/imports/source/{source.pk}/correspondance/",
        {"text": "key: [id]\nfields:\n  title: nom\nlocation:\n  commune: ville\n"},
    )
    assert good.status_code == 302
    source.refresh_from_db()
    assert source.mapping["location"] == {"commune": "ville"}


def test_conflicts_and_duplicates_are_decided_in_the_admin(client, editor, source, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,nom,site,commune\n1,Épicerie solidaire,,Brest\n")
    import_file(source=source, path=path, user=editor)
    project = ProjectPage.objects.get()
    project.title = "Épicerie du port"
    project.save()
    path.write_text("id,nom,site,commune\n1,Épicerie du partenaire,,Brest\n")
    import_file(source=source, path=path, user=editor)
    conflict = ImportConflict.objects.get()
    client.force_login(editor)
    assert "Épicerie du partenaire" in client.get("/admin/imports/conflits/").content.decode()
    client.post(f"/admin/imports/conflits/{conflict.pk}/", {"decision": "local"})
    project.refresh_from_db()
    assert project.title == "Épicerie du port"

    other = Source.objects.create(name="Autre", slug="autre", trust=Trust.DIRECT, mapping=MAPPING)
    path.write_text("id,nom,site,commune\nX,Épicerie du port,,Brest\n")
    import_file(source=other, path=path, user=editor)
    candidate = DuplicateCandidate.objects.get()
    assert "Épicerie du port" in client.get("/admin/imports/doublons/").content.decode()
    client.post(f"/admin/imports/doublons/{candidate.pk}/", {"keep": str(project.pk)})
    assert ProjectPage.objects.filter(live=True).count() == 1
    assert project.source_records.count() == 2


def test_api_key_is_shown_once_and_stored_hashed(client, editor, source):
    client.force_login(editor)
    html = client.post(f"/admin/imports/source/{source.pk}/cles/", {"name": "Site du réseau"})
    key = PartnerApiKey.objects.get()
    body = html.content.decode()
    secret = "cfr_" + body.split("cfr_", 1)[1].split("<", 1)[0].split('"', 1)[0].strip()
    assert len(secret) > 40 and secret.startswith(key.prefix)
    assert secret not in key.key_hash
    later = client.get(f"/admin/imports/source/{source.pk}/cles/").content.decode()
    assert secret not in later and f"{key.prefix}…" in later  # only its prefix, to tell keys apart


def test_command_line_import_with_dry_run(source, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(GOOD)
    out = io.StringIO()
    call_command("import_source", "reseau", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert (
        "Essai à blanc — reseau : Terminé. 3 enregistrements lus = 2 créés + 0 mis à jour" in text
    )
    assert "ligne 3 (title) : titre manquant" in text
    assert not ProjectPage.objects.exists()
    call_command("import_source", "reseau", str(path), stdout=io.StringIO())
    assert ProjectPage.objects.count() == 2


def test_command_line_errors_are_clear(source, tmp_path):
    with pytest.raises(CommandError, match="Source inconnue"):
        call_command("import_source", "absente", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_source", "reseau", str(tmp_path / "x.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02binaire")
    with pytest.raises(CommandError, match="binaire"):
        call_command("import_source", "reseau", str(bad))
    with pytest.raises(CommandError, match="flux"):
        call_command("import_source", "reseau")
