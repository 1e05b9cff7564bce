"""Proposing, editing and submitting projects from the public site.

Innovators never see the Wagtail admin: these services create the page as a
draft, store every edit as a revision (a live project stays online unchanged
until moderators approve), and drive the Wagtail moderation workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Collection, WorkflowState

from cms.blocks import stream_from_text
from core.images import image_reencode

from ..models import (
    Method,
    ProjectIndexPage,
    ProjectLink,
    ProjectLocation,
    ProjectPage,
    Public,
    Territory,
    Theme,
)
from ..permissions import ProjectPermissionDenied, project_permissions

PROJECT_IMAGE_MAX_BYTES = 8 * 1024 * 1024
PROJECT_IMAGE_MAX_PIXELS = 40_000_000
PROJECT_IMAGE_BOX = (2000, 2000)
# Blocks only editors add in the admin; the public form keeps them as they are.
PRESERVED_BLOCKS = {"image", "quote"}


@dataclass(kw_only=True)
class LocationInput:
    territory: Territory
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(kw_only=True)
class ProjectInput:
    """What the public project form collects, already validated by the form."""

    title: str
    summary: str
    description: str = ""
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    video_url: str = ""
    video_title: str = ""
    structure_name: str = ""
    legal_status: str = ""
    siret: str = ""
    themes: list[Theme] = field(default_factory=list)
    publics: list[Public] = field(default_factory=list)
    methods: list[Method] = field(default_factory=list)
    stage: str = ""
    scale: str = ""
    year_started: int | None = None
    sdgs: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    website: str = ""
    links: list[str] = field(default_factory=list)
    contact_email: str = ""
    locations: list[LocationInput] = field(default_factory=list)
    image: UploadedFile | None = None
    image_alt: str = ""
    remove_image: bool = False


# --- description text <-> StreamField ------------------------------------------------
# The form's description is the text of the body's headings and paragraphs, in the one
# conversion of cms.blocks (links, lists and line breaks survive an edit).


def _body_from_input(data: ProjectInput, existing_body) -> list[dict]:
    blocks = stream_from_text(data.description)
    figures = [{"figure": f, "label": label} for f, label in data.key_figures if f and label]
    if figures:
        blocks.append({"type": "key_figures", "value": figures})
    if data.video_url:
        blocks.append(
            {
                "type": "video",
                "value": {
                    "video": data.video_url,
                    "title": data.video_title or data.title,
                    "transcript": "",
                },
            }
        )
    for block in existing_body or []:
        if block.block_type in PRESERVED_BLOCKS:
            blocks.append(
                {"type": block.block_type, "value": block.block.get_prep_value(block.value)}
            )
    return blocks


# --- images -----------------------------------------------------------------------------


def _project_collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name="Projets").first()
    return existing or root.add_child(name="Projets")


def project_image_create(*, upload: UploadedFile, title: str, alt: str, user):
    """Validate and re-encode an uploaded image, store it as a Wagtail image."""
    content = image_reencode(
        upload,
        max_bytes=PROJECT_IMAGE_MAX_BYTES,
        max_pixels=PROJECT_IMAGE_MAX_PIXELS,
        box=PROJECT_IMAGE_BOX,
        name=slugify(title)[:40] or "projet",
    )
    image_model = get_image_model()
    image = image_model(
        title=title[:255],
        file=content,
        collection=_project_collection(),
        uploaded_by_user=user,
    )
    if hasattr(image, "description"):
        image.description = alt[:255]
    image.save()
    return image


# --- applying input to a page -------------------------------------------------------------


def _apply(page: ProjectPage, data: ProjectInput, image) -> None:
    page.title = data.title
    page.summary = data.summary
    page.body = _body_from_input(data, page.body)
    page.structure_name = data.structure_name
    page.legal_status = data.legal_status
    page.siret = data.siret.replace(" ", "")
    page.stage = data.stage
    page.scale = data.scale
    page.year_started = data.year_started
    page.sdgs = sorted(set(data.sdgs))
    page.website = data.website
    page.contact_email = data.contact_email
    page.themes = list(data.themes)
    page.publics = list(data.publics)
    page.methods = list(data.methods)
    page.tags.set(data.tags, clear=True)
    page.locations = [
        ProjectLocation(
            territory=location.territory,
            address=location.address,
            latitude=location.latitude,
            longitude=location.longitude,
            sort_order=index,
        )
        for index, location in enumerate(data.locations)
    ]
    page.links = [ProjectLink(url=url, sort_order=i) for i, url in enumerate(data.links)]
    if image is not None:
        page.main_image = image
    elif data.remove_image:
        page.main_image = None


def _full_clean(page: ProjectPage) -> None:
    # Tree fields are set by add_child() for a new page.
    page.full_clean(exclude=["path", "depth", "numchild", "url_path"] if not page.pk else None)
    for location in page.locations.all():
        location.full_clean(exclude=["page"])


def project_index() -> ProjectIndexPage:
    index = ProjectIndexPage.objects.first()
    if index is None:
        raise RuntimeError("La page « Projets » n'existe pas : lancez manage.py setup_carrefour.")
    return index


def _unique_slug(index: ProjectIndexPage, title: str) -> str:
    base = slugify(title)[:70] or "projet"
    slug, counter = base, 2
    siblings = set(index.get_children().values_list("slug", flat=True))
    while slug in siblings:
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def project_create(*, user, data: ProjectInput, submit: bool = False) -> ProjectPage:
    """Create a project as a draft (not live) owned by ``user``; optionally submit it."""
    if not user.is_authenticated or not user.is_active:
        raise ProjectPermissionDenied(_("Connectez-vous pour proposer un projet."))
    image = (
        project_image_create(upload=data.image, title=data.title, alt=data.image_alt, user=user)
        if data.image
        else None
    )
    with transaction.atomic():
        index = project_index()
        page = ProjectPage(owner=user, live=False, slug=_unique_slug(index, data.title))
        _apply(page, data, image)
        _full_clean(page)
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        if submit:
            project_submit(project=page, user=user)
    return page


def project_update(
    *, project: ProjectPage, user, data: ProjectInput, submit: bool = False
) -> ProjectPage:
    """Store the edit as a new revision. The live version (if any) is untouched until a
    moderator approves; an edit made during moderation restarts the review on it."""
    if not project_permissions(project=project, user=user).edit:
        raise ProjectPermissionDenied(_("Vous ne pouvez pas modifier ce projet."))
    image = (
        project_image_create(upload=data.image, title=data.title, alt=data.image_alt, user=user)
        if data.image
        else None
    )
    with transaction.atomic():
        draft = project.get_latest_revision_as_object()
        _apply(draft, data, image)
        _full_clean(draft)
        revision = draft.save_revision(user=user, log_action=True)
        state = project.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            # The reviewers must see what they approve: restart the task on this revision.
            state.current_task_state.cancel(user=user, resume=True)
        elif submit:
            project_submit(project=draft, user=user)
    project.refresh_from_db()
    project.latest_revision = revision
    return project


def project_submit(*, project: ProjectPage, user) -> WorkflowState:
    """Send the latest revision to moderation (or back to it after « à revoir »)."""
    if not project_permissions(project=project, user=user).submit:
        raise ProjectPermissionDenied(_("Vous ne pouvez pas soumettre ce projet."))
    with transaction.atomic():
        state = project.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user=user)
            return WorkflowState.objects.get(pk=state.pk)
        if state is not None:
            return state
        workflow = project.get_workflow()
        if workflow is None:
            raise ValidationError(_("Aucun circuit de modération n'est configuré."))
        return workflow.start(project, user)
