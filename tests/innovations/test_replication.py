"""Essaimage (issue 16): the replication sheet (service, form, page, API, JSON-LD,
search facet), its resources (documents checked), and lineage with its visibility."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import PageViewRestriction

from innovations.models import ProjectLineage, ReplicationSheet
from innovations.permissions import ProjectPermissionDenied
from innovations.selectors.replication import (
    lineage_for,
    sheet_completeness,
    sheet_for,
)
from innovations.services.replication import (
    SheetInput,
    lineage_add,
    lineage_remove,
    replication_requests_pause,
    replication_resource_add,
    replication_sheet_update,
)

pytestmark = pytest.mark.django_db

READY = SheetInput(
    readiness="prete",
    transferable="La tournée du bus, le kit de formation des bénévoles.",
    success_conditions="Un partenariat avec la mairie.",
    budget_range="10k-50k",
    team_size="1-2",
    time_to_launch="3-6-mois",
    licence="cc-by-sa",
    contact_name="Camille",
    contact_email="Camille@Exemple.org",
)


@pytest.fixture
def project(make_project, owner):
    return make_project(owner=owner)


def test_team_fills_the_sheet_and_sees_its_completeness(project, owner):
    assert sheet_completeness(sheet=None) == 0
    sheet = replication_sheet_update(project=project, actor=owner, data=READY)
    assert sheet.readiness == "prete"
    assert sheet.contact_email == "camille@exemple.org"
    # 9 of 11 parts: obstacles, partners and resources are missing.
    assert sheet_completeness(sheet=sheet) == round(100 * 8 / 11)


def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_written(project, owner):
    bad = SheetInput(readiness="bientot", contact_email="pas-une-adresse")
    with pytest.raises(ValidationError) as error:
        replication_sheet_update(project=project, actor=owner, data=bad)
    assert set(error.value.error_dict) == {"readiness", "contact_email"}
    assert "n’est pas un choix valide" in " ".join(error.value.error_dict["readiness"][0].messages)
    assert not ReplicationSheet.objects.filter(project=project).exists()


def test_only_the_team_and_curators_edit_the_sheet(project, other_user, editor):
    with pytest.raises(ProjectPermissionDenied):
        replication_sheet_update(project=project, actor=other_user, data=READY)
    replication_sheet_update(project=project, actor=editor, data=READY)
    with pytest.raises(ProjectPermissionDenied):
        replication_requests_pause(project=project, actor=other_user, paused=True)


def test_resources_links_and_documents_checked(project, owner):
    link = replication_resource_add(
        project=project, actor=owner, title="Guide en ligne", url="https://exemple.org/guide"
    )
    assert link.href == "https://exemple.org/guide"
    pdf = SimpleUploadedFile(
        "guide.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF", "application/pdf"
    )
    document = replication_resource_add(project=project, actor=owner, title="Guide", upload=pdf)
    assert document.document.file.name.endswith(".pdf")
    scripted = SimpleUploadedFile(
        "piege.pdf", b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    )
    with pytest.raises(ValidationError) as error:
        replication_resource_add(project=project, actor=owner, title="Piège", upload=scripted)
    assert "scripts" in error.value.error_dict["document"][0].messages[0]
    fake = SimpleUploadedFile("kit.docx", b"MZ\x90\x00 not a zip")
    with pytest.raises(ValidationError) as error:
        replication_resource_add(project=project, actor=owner, title="Kit", upload=fake)
    assert "vrai document docx" in error.value.error_dict["document"][0].messages[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/vbaProject.bin", b"macro")
    macro = SimpleUploadedFile("kit.docx", buffer.getvalue())
    with pytest.raises(ValidationError) as error:
        replication_resource_add(project=project, actor=owner, title="Kit", upload=macro)
    assert "macros" in error.value.error_dict["document"][0].messages[0]
    exe = SimpleUploadedFile("outil.exe", b"MZ")
    with pytest.raises(ValidationError) as error:
        replication_resource_add(project=project, actor=owner, title="Outil", upload=exe)
    assert "Type de fichier non accepté" in error.value.error_dict["document"][0].messages[0]
    with pytest.raises(ValidationError) as error:
        replication_resource_add(project=project, actor=owner, title="Rien")
    assert "url" in error.value.error_dict
    assert [r.title for r in sheet_for(project=project).resources.all()] == [
        "Guide en ligne",
        "Guide",
    ]


def test_lineage_add_refuses_self_cycles_duplicates_and_unpublished(
    make_project, owner, other_user
):
    original = make_project(owner=other_user, title="Le Bus d'origine")
    copy = make_project(owner=owner, title="Le Bus du Limousin")
    draft = make_project(owner=other_user, title="Un brouillon", live=False)
    with pytest.raises(ValidationError):
        lineage_add(replication=copy, original=copy, actor=owner)
    with pytest.raises(ValidationError) as error:
        lineage_add(replication=copy, original=draft, actor=owner)
    assert "n'est pas publié" in error.value.error_dict["original"][0].messages[0]
    with pytest.raises(ProjectPermissionDenied):
        lineage_add(replication=copy, original=original, actor=other_user)
    link = lineage_add(replication=copy, original=original, actor=owner)
    # The original's team hears of it (not the person who declared it).
    from notifications.models import Notification

    told = Notification.objects.get(kind="project.replicated")
    assert told.recipient == other_user and told.url == copy.url
    assert "« Le Bus du Limousin » s'inspire de votre projet" in told.title
    with pytest.raises(ValidationError):
        lineage_add(replication=copy, original=original, actor=owner)
    with pytest.raises(ValidationError) as error:
        lineage_add(replication=original, original=copy, actor=other_user)
    assert "en rond" in error.value.error_dict["original"][0].messages[0]
    # Either side's team may remove the link; a stranger may not.
    from tests.factories import UserFactory

    with pytest.raises(ProjectPermissionDenied):
        lineage_remove(link=link, actor=UserFactory())
    lineage_remove(link=link, actor=other_user)
    assert not ProjectLineage.objects.exists()


def test_a_hidden_replication_is_neither_listed_nor_counted(make_project, owner, other_user, user):
    original = make_project(owner=other_user, title="Le Bus d'origine")
    public = make_project(owner=owner, title="Le Bus du Limousin")
    members = make_project(owner=owner, title="Le Bus réservé")
    lineage_add(replication=public, original=original, actor=owner)
    lineage_add(replication=members, original=original, actor=owner)
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    anonymous = lineage_for(project=original, user=AnonymousUser())
    assert [p.title for p in anonymous.replications] == ["Le Bus du Limousin"]
    signed_in = lineage_for(project=original, user=user)
    assert {p.title for p in signed_in.replications} == {"Le Bus du Limousin", "Le Bus réservé"}
    # Unpublished: gone for everyone, even its own team.
    public.unpublish()
    assert [p.title for p in lineage_for(project=original, user=owner).replications] == [
        "Le Bus réservé"
    ]


def test_api_detail_gives_sheet_lineage_and_jsonld_is_based_on(
    client, make_project, owner, other_user
):
    original = make_project(owner=other_user, title="Le Bus d'origine")
    copy = make_project(owner=owner, title="Le Bus du Limousin")
    hidden = make_project(owner=owner, title="Le Bus réservé")
    replication_sheet_update(project=original, actor=other_user, data=READY)
    lineage_add(replication=copy, original=original, actor=owner)
    lineage_add(replication=hidden, original=original, actor=owner)
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    data = client.get(f"/api/v1/projects/{original.pk}").json()
    assert data["replications"]["count"] == 1
    assert data["replications"]["ids"] == [copy.pk]
    assert data["inspired_by"] == []
    assert data["replication"]["readiness"] == "prete"
    assert data["replication"]["licence_url"].startswith("https://creativecommons.org/")
    assert "contact" not in data["replication"]  # members only
    child = client.get(f"/api/v1/projects/{copy.pk}").json()
    assert [o["id"] for o in child["inspired_by"]] == [original.pk]
    assert child["inspired_by"][0]["url"].endswith(original.url)
    jsonld = client.get(f"/api/v1/projects/{copy.pk}/jsonld").json()
    assert {"@type": "Project", "@id": child["inspired_by"][0]["url"]}.items() <= next(
        item for item in jsonld["isBasedOn"] if item["@type"] == "Project"
    ).items()
    howto = client.get(f"/api/v1/projects/{original.pk}/jsonld").json()["subjectOf"]
    assert howto["@type"] == "HowTo" and howto["creativeWorkStatus"] == "Prêt à essaimer"
    assert howto["license"].startswith("https://creativecommons.org/licenses/by-sa/")
    from search.indexing import reindex

    reindex()
    listed = client.get("/api/v1/projects?par_page=50").json()["results"]
    assert any(item.get("replication", {}).get("readiness") == "prete" for item in listed)


def test_project_page_shows_the_sheet_and_lineage(
    client, make_project, owner, other_user, password
):
    original = make_project(owner=other_user, title="Le Bus d'origine")
    copy = make_project(owner=owner, title="Le Bus du Limousin")
    replication_sheet_update(project=original, actor=other_user, data=READY)
    lineage_add(replication=copy, original=original, actor=owner)
    html = client.get(original.url).content.decode()
    assert "Essaimer ce projet" in html
    assert "Prêt à essaimer" in html
    assert "Essaimé à 1 endroit" in html
    assert "lineage-map-points" in html
    assert "camille@exemple.org" not in html  # the contact is for members
    assert "Inspiré de" in client.get(copy.url).content.decode()
    client.login(email=other_user.email, password=password)
    html = client.get(original.url).content.decode()
    assert "camille@exemple.org" in html
    assert "Votre fiche d'essaimage est remplie à" in html


def test_team_screen_saves_the_sheet_and_declares_an_origin(
    client, make_project, owner, other_user, password
):
    original = make_project(owner=other_user, title="Recyclerie des Monts")
    copy = make_project(owner=owner, title="Le Bus du Limousin")
    client.login(email=owner.email, password=password)
    url = reverse("innovations:replication_edit", kwargs={"project_id": copy.pk})
    response = client.post(url, {"readiness": "nimporte", "contact_email": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in html and "adresse de courriel valide" in html
    response = client.post(url, {"readiness": "prete", "transferable": "Le kit."})
    assert response.status_code == 302
    assert sheet_for(project=copy).readiness == "prete"
    add = reverse("innovations:lineage_add", kwargs={"project_id": copy.pk})
    assert client.post(add, {"original": original.pk}).status_code == 302
    assert lineage_for(project=copy, user=owner).origins == [original]
    # Someone outside the team: 404, the screen does not exist for them.
    client.logout()
    from tests.factories import UserFactory

    stranger = UserFactory(password=password)
    client.login(email=stranger.email, password=password)
    assert client.get(url).status_code == 404
    link = ProjectLineage.objects.get()
    remove = reverse("innovations:lineage_remove", kwargs={"link_id": link.pk})
    assert client.post(remove).status_code == 404
