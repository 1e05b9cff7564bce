"""Descriptions go through the one StreamField ↔ text conversion (cms.blocks): a
partner's line break is not a local edit, the edit form keeps the links and lists
editors wrote, and search documents and exports read the same text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cms.blocks import stream_text
from innovations.models import ImportConflict, ProjectPage, Source, Trust
from innovations.services.imports import import_file

pytestmark = pytest.mark.django_db


def test_a_partner_description_with_a_line_break_is_no_local_edit(projects_index, editor, tmp_path):
    source = Source.objects.create(
        name="Réseau Partenaire",
        slug="reseau",
        trust=Trust.DIRECT,
        mapping={
            "key": ["id"],
            "fields": {"title": "nom", "description": "desc"},
            "location": {"commune": "ville"},
        },
    )
    path = tmp_path / "export.csv"
    path.write_text('id;nom;ville;desc\n1;Épicerie;Brest;"Ouverte le mardi\net le jeudi."\n')
    assert import_file(source=source, path=path, user=editor).created == 1
    project = ProjectPage.objects.get()
    assert "mardi<br>et le jeudi" in project.body[0].value.source
    path.write_text('id;nom;ville;desc\n1;Épicerie;Brest;"Ouverte le mardi\net le samedi."\n')
    run = import_file(source=source, path=path, user=editor)
    assert (run.updated, run.conflicts) == (1, 0)
    assert not ImportConflict.objects.exists()
    project.refresh_from_db()
    assert stream_text(project.body) == "Ouverte le mardi\net le samedi."


class _Form(HTMLParser):
    """What a browser would send back from the page's project form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(name, a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self._add(self.select, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data


def test_the_edit_form_keeps_the_links_and_lists_editors_wrote(client, make_project, owner):
    project = make_project(owner=owner)
    project.body = [
        {"type": "heading", "value": "Notre démarche"},
        {
            "type": "paragraph",
            "value": '<p>Avec <a href="https://media.example.org">la médiathèque</a> :</p>'
            "<ul><li>démarches en ligne</li><li>tablettes</li></ul>",
        },
    ]
    project.save_revision().publish()
    client.force_login(owner)
    url = reverse("innovations:project_edit", args=[project.pk])
    form = _Form()
    form.feed(client.get(url).content.decode())
    description = next(v[0] for k, v in form.data.items() if k.endswith("description"))
    assert description.replace("\r\n", "\n").strip() == (
        "## Notre démarche\n\n"
        "Avec [la médiathèque](https://media.example.org) :\n- démarches en ligne\n- tablettes"
    )
    response = client.post(url, form.data)
    assert response.status_code == 302, response.content.decode()[:2000]
    body = ProjectPage.objects.get(pk=project.pk).get_latest_revision_as_object().body
    html = "".join(b.value.source for b in body if b.block_type == "paragraph")
    assert '<a href="https://media.example.org">la médiathèque</a>' in html
    assert "<ul><li>démarches en ligne</li><li>tablettes</li></ul>" in html


def test_search_documents_and_exports_read_the_same_text(make_project):
    from innovations.opendata import serialise
    from innovations.search_documents import ProjectAdapter

    project = make_project(description="Une ligne\nune autre, et [un lien](https://exemple.org).")
    text = stream_text(project.body)
    assert text == "Une ligne\nune autre, et un lien."
    assert serialise(project, "open")["description"] == text
    assert text in ProjectAdapter().document(project).body
