"""The import engine end to end: report, validation, batches, idempotence, removals,
local edits and conflicts, moderation, duplicates — through the services editors use."""

from __future__ import annotations

import pytest

from innovations.importing import engine
from innovations.models import (
    ImportConflict,
    ProjectPage,
    ProjectSourceRecord,
    RunStatus,
    Source,
    Trust,
)
from innovations.services.imports import (
    conflict_resolve,
    import_file,
    import_run_create,
    import_run_execute,
)

pytestmark = pytest.mark.django_db

HEADER = "id;nom;resume;commune;cp;lat;lon;site;theme\n"
MAPPING = {
    "version": 1,
    "key": ["id"],
    "url": "https://partenaire.example.org/fiches/{id}",
    "fields": {
        "title": "nom",
        "summary": "resume",
        "website": {"from": "site", "transforms": ["url"]},
        "themes": {
            "from": "theme",
            "transforms": [
                {
                    "map": {
                        "alimentation": "solidarites.aide-alimentaire",
                        "emploi": "emploi-insertion.iae",
                    },
                    "default": "",
                }
            ],
        },
    },
    "location": {
        "commune": "commune",
        "postal_code": "cp",
        "latitude": "lat",
        "longitude": "lon",
    },
    "policy": {"default": "local", "website": "partner"},
}


def row(key, name, *, commune="Brest", cp="29200", lat="48,39", lon="-4,48", site="", theme=""):
    return f"{key};{name};Résumé de {name};{commune};{cp};{lat};{lon};{site};{theme}\n"


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT, mapping=MAPPING
    )


@pytest.fixture
def write(tmp_path):
    def write(text: str, name="export.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def imported(source, key):
    return ProjectPage.objects.get(
        source_records__source=source, source_records__source_identifier=key
    )


def test_first_import_creates_live_projects_and_reports_each_bad_row(source, editor, write):
    path = write(
        HEADER
        + row("1", "Épicerie solidaire du port", theme="alimentation", site="epicerie.example")
        + row("2", "", theme="emploi")  # no title
        + row("3", "Atelier vélo", commune="Nulle-Part", cp="", lat="", lon="")
        + row("4", "Ressourcerie des îles", lat="40,7", lon="-74,0")  # New York, French address
        + row("5", "Jardin partagé", site="http://exa mple")  # optional value: dropped
        + row("6", "Repair café", commune="Rennes", cp="35000", lat="", lon="")
    )
    run = import_file(source=source, path=path, user=editor)
    assert run.status == RunStatus.DONE
    assert (run.created, run.rejected, run.updated, run.unchanged) == (4, 2, 0, 0)
    errors = {(e.row, e.field): e.reason for e in run.row_errors.filter(severity="error")}
    assert errors == {
        (3, "title"): "titre manquant",
        (4, "commune"): "commune inconnue « Nulle-Part »",
    }
    warnings = {(e.row, e.field): e.reason for e in run.row_errors.filter(severity="warning")}
    assert "coordonnées à l'étranger" in warnings[(5, "coordonnées")]
    assert "adresse web invalide" in warnings[(6, "website")]
    assert imported(source, "5").website == ""
    project = imported(source, "1")
    assert project.live
    assert project.website == "https://epicerie.example"
    assert [t.code for t in project.themes.all()] == ["solidarites.aide-alimentaire"]
    location = project.locations.get()
    assert (location.territory.code, location.latitude, location.longitude) == (
        "29019",
        48.39,
        -4.48,
    )
    assert imported(source, "6").locations.get().territory.name == "Rennes"
    record = project.source_records.get()
    assert record.source_url == "https://partenaire.example.org/fiches/1"


def test_imported_project_page_names_its_source_and_is_searchable(
    source, editor, write, client, django_capture_on_commit_callbacks
):
    from search.query import SearchQuery
    from search.services import search

    with django_capture_on_commit_callbacks(execute=True):
        import_file(source=source, path=write(HEADER + row("1", "Épicerie solidaire")), user=editor)
    project = imported(source, "1")
    html = client.get(project.url).content.decode()
    assert "Réseau Partenaire" in html
    assert "https://partenaire.example.org/fiches/1" in html
    results = search(query=SearchQuery(text="epicerie solidaire"), record=False)
    assert [hit.title for hit in results.hits] == ["Épicerie solidaire"]


def test_dry_run_previews_and_writes_nothing(source, editor, write):
    path = write(HEADER + row("1", "Épicerie") + row("2", ""))
    run = import_file(source=source, path=path, dry_run=True, user=editor)
    assert run.status == RunStatus.DONE
    assert (run.created, run.rejected) == (1, 1)
    assert run.preview[0]["title"] == "Épicerie" and run.preview[0]["action"] == "create"
    assert not ProjectPage.objects.exists()
    assert not ProjectSourceRecord.objects.exists()


def test_rows_with_the_same_key_become_one_project_with_several_places(source, editor, write):
    path = write(
        HEADER
        + row("1", "Ressourcerie")
        + row("1", "Ressourcerie", commune="Rennes", cp="35000", lat="48,11", lon="-1,68")
    )
    run = import_file(source=source, path=path, user=editor)
    assert run.created == 1
    places = imported(source, "1").locations.order_by("territory__name")
    assert [p.territory.name for p in places] == ["Brest", "Rennes"]


def test_a_tenth_of_malformed_rows_are_rejected_and_the_rest_imported(source, editor, write):
    lines = [HEADER]
    for n in range(1, 101):
        if n % 10 == 0:
            # malformed: more cells than the header has columns
            lines.append(row(str(n), f"Projet {n}").replace("\n", ";en;trop\n"))
        else:
            lines.append(row(str(n), f"Projet numéro {n}"))
    run = import_file(source=source, path=write("".join(lines)), user=editor)
    assert (run.created, run.rejected) == (90, 10)
    reasons = list(run.row_errors.values_list("row", "reason"))
    assert [r for r, _ in reasons] == [n + 1 for n in range(10, 101, 10)]
    assert all("11 colonnes au lieu de 9" in reason for _, reason in reasons)


def test_truncated_file_is_refused_and_nothing_written(source, editor, write):
    path = write(HEADER + row("1", "Épicerie") + '2;Atelier;"Résumé coupé')
    run = import_file(source=source, path=path, user=editor)
    assert run.status == RunStatus.FAILED
    assert "tronqué" in run.message
    assert not ProjectPage.objects.exists()


def test_windows_1252_comma_file_is_read(source, editor, write):
    text = (HEADER + row("1", "Café des enfants")).replace(";", ",").replace("48,39", "48.39")
    text = text.replace("-4,48", "-4.48")
    run = import_file(source=source, path=write(text, encoding="cp1252"), user=editor)
    assert run.file_info["encoding"] == "cp1252"
    assert run.file_info["delimiter"] == ","
    assert imported(source, "1").title == "Café des enfants"


def test_crash_mid_import_leaves_whole_batches_and_a_rerun_completes(
    source, editor, write, monkeypatch
):
    monkeypatch.setattr(engine, "BATCH", 10)
    path = write(HEADER + "".join(row(str(n), f"Projet {n}") for n in range(1, 36)))
    run = import_file(source=source, path=path, user=editor)
    # import_file has no hook for the crash: run it again through the engine
    assert run.created == 35
    ProjectPage.objects.all().delete()
    ProjectSourceRecord.objects.all().delete()

    # The fault comes from the test: the third batch's write fails.
    real_create = engine.create_projects
    calls = []

    def failing_create(**kwargs):
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("panne de la base pendant le troisième lot")
        return real_create(**kwargs)

    monkeypatch.setattr(engine, "create_projects", failing_create)
    failed = import_file(source=source, path=path, user=editor)
    monkeypatch.setattr(engine, "create_projects", real_create)
    assert failed.status == RunStatus.FAILED
    assert "relancez" in failed.message
    assert ProjectPage.objects.count() == 20  # two whole batches, nothing of the third
    assert ProjectSourceRecord.objects.count() == 20
    from search.models import IndexQueue, SearchEntry

    assert not IndexQueue.objects.exists()  # what was written is searchable already
    assert SearchEntry.objects.filter(kind="project").count() == 20

    rerun = import_file(source=source, path=path, user=editor)
    assert rerun.status == RunStatus.DONE
    assert (rerun.created, rerun.unchanged) == (15, 20)
    assert ProjectPage.objects.count() == 35
    assert sorted(
        ProjectSourceRecord.objects.values_list("source_identifier", flat=True)
    ) == sorted(str(n) for n in range(1, 36))


def test_reimport_of_the_same_file_changes_nothing(source, editor, write):
    path = write(HEADER + row("1", "Épicerie") + row("2", "Atelier"))
    import_file(source=source, path=path, user=editor)
    before = {p.pk: (p.latest_revision_id, p.last_published_at) for p in ProjectPage.objects.all()}
    again = import_file(source=source, path=path, user=editor)
    assert (again.created, again.updated, again.unchanged, again.unpublished) == (0, 0, 2, 0)
    after = {p.pk: (p.latest_revision_id, p.last_published_at) for p in ProjectPage.objects.all()}
    assert after == before


def test_changed_record_is_updated_and_removed_one_unpublished(source, editor, write, owner):
    import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie") + row("2", "Atelier") + row("3", "Jardin")),
        user=editor,
    )
    claimed = imported(source, "3")
    claimed.owner = owner
    claimed.save(update_fields=["owner"])
    # The complete list (the editor says so, and confirms: 2 of 3 projects absent).
    run = import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie solidaire")),
        user=editor,
        complete=True,
        confirmed=True,
    )
    assert (run.updated, run.unpublished) == (1, 1)
    assert imported(source, "1").title == "Épicerie solidaire"
    gone = imported(source, "2")
    assert not gone.live
    assert ProjectPage.objects.filter(pk=gone.pk).exists()  # unpublished, not deleted
    assert imported(source, "3").live  # claimed by its team: stays online
    assert not gone.source_records.get().present
    # the record comes back: published again
    back = import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie solidaire") + row("2", "Atelier")),
        user=editor,
    )
    assert back.updated == 1
    returned = imported(source, "2")
    assert returned.live and returned.source_records.get().present


def test_local_edit_is_kept_as_a_conflict_unless_partner_wins(source, editor, write):
    import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie", site="old.example")),
        user=editor,
    )
    project = imported(source, "1")
    project.title = "Épicerie du port (corrigé)"
    project.website = "https://local.example"
    project.save()
    run = import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie solidaire", site="new.example")),
        user=editor,
    )
    assert run.conflicts == 1
    project.refresh_from_db()
    assert project.title == "Épicerie du port (corrigé)"  # policy local: kept
    assert project.website == "https://new.example"  # policy partner: applied
    conflict = ImportConflict.objects.get()
    assert (conflict.field, conflict.local_value, conflict.partner_value) == (
        "title",
        "Épicerie du port (corrigé)",
        "Épicerie solidaire",
    )
    conflict_resolve(conflict=conflict, apply_partner=True, user=editor)
    project.refresh_from_db()
    assert project.title == "Épicerie solidaire"
    # the partner's unchanged value does not reopen the conflict
    again = import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie solidaire", site="new.example")),
        user=editor,
    )
    assert (again.conflicts, again.unchanged) == (0, 1)


def test_untrusted_source_sends_projects_to_moderation(source, editor, write):
    source.trust = Trust.MODERATION
    source.save()
    import_file(source=source, path=write(HEADER + row("1", "Épicerie")), user=editor)
    project = imported(source, "1")
    assert not project.live
    assert project.current_workflow_state is not None
    assert project.current_workflow_state.status == "in_progress"


def test_cross_source_duplicates_are_proposed_and_merged(source, editor, write, client):
    from innovations.importing.duplicates import projects_merge
    from innovations.models import DuplicateCandidate

    other = Source.objects.create(
        name="Autre Réseau", slug="autre", trust=Trust.DIRECT, mapping=MAPPING
    )
    import_file(source=source, path=write(HEADER + row("1", "L'Épicerie Solidaire")), user=editor)
    run = import_file(
        source=other, path=write(HEADER + row("A9", "Épicerie solidaire")), user=editor
    )
    assert run.duplicates == 1
    candidate = DuplicateCandidate.objects.get()
    keep = imported(source, "1")
    dropped = imported(other, "A9")
    projects_merge(candidate=candidate, keep=keep, editor=editor)
    assert not ProjectPage.objects.filter(pk=dropped.pk, live=True).exists()
    assert set(keep.source_records.values_list("source__name", flat=True)) == {
        "Réseau Partenaire",
        "Autre Réseau",
    }
    html = client.get(keep.url).content.decode()
    assert "Réseau Partenaire" in html and "Autre Réseau" in html
    # a re-import of the other partner updates the kept project, not a new one
    again = import_file(
        source=other, path=write(HEADER + row("A9", "Épicerie solidaire")), user=editor
    )
    assert again.created == 0


def test_run_from_an_upload_is_executed_with_its_report(source, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("lieux.csv", (HEADER + row("1", "Épicerie")).encode())
    run = import_run_create(source=source, user=editor, upload=upload)
    run = import_run_execute(run=run)
    assert run.status == RunStatus.DONE and run.created == 1
    assert run.filename == "lieux.csv"


def test_only_editors_start_imports(source, user):
    from innovations.services.imports import ImportPermissionDenied

    with pytest.raises(ImportPermissionDenied):
        import_run_create(source=source, user=user, dry_run=True)


def test_homonym_commune_is_told_apart_by_coordinates(source, editor, write):
    # Montréal (Aude) and Montréal (Gers): the coordinates say which.
    path = write(
        HEADER
        + row("1", "Café associatif", commune="Montréal", cp="", lat="43,95", lon="0,20")
        + row("2", "Tiers-lieu", commune="Nulle-Part", cp="", lat="48,39", lon="-4,48")
    )
    run = import_file(source=source, path=path, user=editor)
    assert (run.created, run.rejected) == (2, 0)
    assert imported(source, "1").locations.get().territory.code == "32290"
    # an unknown commune with coordinates is kept, at the département level
    assert imported(source, "2").locations.get().territory.code == "29"


def test_address_without_coordinates_is_geocoded_in_production(
    source, editor, write, monkeypatch, settings
):
    from innovations.importing.geocoding import GeocodeResult

    asked = []

    class StandIn:  # the national address service, answered locally
        def geocode(self, *, address, citycode="", postcode=""):
            asked.append((address, citycode))
            return GeocodeResult(48.3904, -4.4861, "address")

    monkeypatch.setattr(engine, "geocoder_from_settings", lambda **kwargs: StandIn())
    source.mapping = {**MAPPING, "location": {**MAPPING["location"], "address": "resume"}}
    source.save()
    run = import_file(
        source=source,
        path=write(HEADER + row("1", "Épicerie", lat="", lon="") + row("2", "Atelier")),
        user=editor,
    )
    assert run.created == 2
    assert asked == [("Résumé de Épicerie", "29019")]  # only the place without coordinates
    place = imported(source, "1").locations.get()
    assert (place.latitude, place.longitude) == (48.3904, -4.4861)


def test_offline_places_without_coordinates_use_the_commune_centre(source, editor, write):
    run = import_file(
        source=source, path=write(HEADER + row("1", "Épicerie", lat="", lon="")), user=editor
    )
    assert run.created == 1
    place = imported(source, "1").locations.get()
    assert place.latitude is None
    assert place.point == (place.territory.latitude, place.territory.longitude)
