"""Reads of « S'en inspirer » (issue 16): a member's requests (« Mes inspirations »),
a project's requests for its team (the inbox), what the project page's box shows,
and who a project's team is (those who receive and answer the requests).

Who may *do* what is checked by the services (communities/services/inspirations.py);
who may *see* a project's inbox is ``can_read_inbox`` here, used by its view."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from innovations.models import ProjectMember, ProjectPage, ReplicationSheet
from innovations.permissions import project_permissions
from innovations.selectors import projects_live

from ..models import InspirationRequest, InspirationStatus
from ..permissions import is_signed_in


def project_team(*, project: ProjectPage) -> list:
    """The active people who receive and answer a project's requests: its owner
    (the page's ``owner``) and its co-editors (``ProjectMember``), owner first."""
    User = get_user_model()
    people = User.objects.filter(
        Q(pk=project.owner_id)
        | Q(pk__in=ProjectMember.objects.filter(project=project).values("user")),
        is_active=True,
    ).order_by(
        Case(
            When(pk=project.owner_id, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "pk",
    )
    return list(people)


def inspiration_project_get(*, project_id: int, user) -> ProjectPage | None:
    """The live project ``project_id`` if ``user`` may see it (None: answer 404). A
    draft, an unpublished project or one under a Wagtail view restriction takes no
    requests, even from its team."""
    project = projects_live().filter(pk=project_id).first()
    if project is None or not project_permissions(project=project, user=user).view_live:
        return None
    return project


def requests_paused(*, project: ProjectPage) -> bool:
    """Whether the team paused its requests (a project without a replication sheet
    has not)."""
    return ReplicationSheet.objects.filter(project=project, requests_paused=True).exists()


def inspirations_of_requester(*, user) -> QuerySet[InspirationRequest]:
    """« Mes inspirations »: every request ``user`` sent, newest first, with what the
    list shows."""
    if not is_signed_in(user):
        return InspirationRequest.objects.none()
    return InspirationRequest.objects.filter(requester=user).select_related(
        "project", "territory__parent", "decided_by__profile", "channel"
    )


def can_read_inbox(*, project: ProjectPage, user) -> bool:
    """The team's inbox is read by the team and by the curators (editors and
    moderators: they edit every project, and may pause a flooded one), who never
    answer in the team's name."""
    return project_permissions(project=project, user=user).edit


@dataclass(frozen=True)
class Inbox:
    pending: list[InspirationRequest]
    answered: list[InspirationRequest]
    paused: bool


def inspiration_inbox(*, project: ProjectPage, answered_limit: int = 50) -> Inbox:
    """A project's requests for its team: those awaiting an answer (oldest first: the
    first asked is answered first), then the latest answered or withdrawn ones."""
    requests = InspirationRequest.objects.filter(project=project).select_related(
        "requester__profile", "territory__parent", "decided_by__profile"
    )
    pending = list(requests.filter(status=InspirationStatus.PENDING).order_by("created_at", "pk"))
    answered = list(
        requests.exclude(status=InspirationStatus.PENDING).order_by("-created_at", "-pk")[
            :answered_limit
        ]
    )
    return Inbox(pending=pending, answered=answered, paused=requests_paused(project=project))


def inspiration_pending_count(*, project: ProjectPage) -> int:
    return InspirationRequest.objects.filter(
        project=project, status=InspirationStatus.PENDING
    ).count()


@dataclass(frozen=True)
class InspireBox:
    """What the « S'en inspirer » box of a project page shows. For an anonymous
    visitor it depends on the project only (the page is cached for all of them):
    whether its team paused requests, whether it has a team at all. For a signed-in
    person also: whether they are of the team (then how many requests await), or
    whether their own request awaits an answer."""

    paused: bool
    has_team: bool = True
    signed_in: bool = False
    team: bool = False
    pending_count: int = 0
    mine_pending: bool = False


def _pause_already_read(project: ProjectPage) -> bool | None:
    """The team's pause from the replication sheet this request already loaded on
    the page (the project page's « Essaimer ce projet » section puts it there), or
    None when it was not loaded: then it is read here."""
    relation = ProjectPage.replication_sheet.related
    if not relation.is_cached(project):
        return None
    sheet = relation.get_cached_value(project)
    return bool(sheet is not None and sheet.requests_paused)


def inspire_box(*, project: ProjectPage, user) -> InspireBox | None:
    """None when the project takes no requests (a draft, a preview of an unpublished
    page). At most one query, every answer a subquery of the project's row: the
    sheet's pause (unless the page already holds the sheet), whether an owner-less
    project has co-editors, and for a signed-in person their team membership, the
    pending count and their own pending request. An anonymous visitor of a project
    with an owner whose sheet is loaded costs none."""
    if not project.pk or not project.live:
        return None
    known = _pause_already_read(project)
    signed_in = is_signed_in(user)
    members = ProjectMember.objects.filter(project=OuterRef("pk"))
    pending = InspirationRequest.objects.filter(
        project=OuterRef("pk"), status=InspirationStatus.PENDING
    )
    annotations = {}
    if known is None:
        annotations["paused"] = Subquery(
            ReplicationSheet.objects.filter(project=OuterRef("pk")).values("requests_paused")[:1]
        )
    if project.owner_id is None:
        annotations["has_members"] = Exists(members)
    if signed_in:
        annotations["member"] = Exists(members.filter(user=user))
        annotations["mine"] = Exists(pending.filter(requester=user))
        annotations["waiting"] = Subquery(
            pending.order_by().values("project").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        )
    row = {}
    if annotations:
        row = (
            ProjectPage.objects.filter(pk=project.pk)
            .annotate(**annotations)
            .values(*annotations)
            .first()
        )
        if row is None:
            return None
    paused = known if known is not None else bool(row["paused"])
    has_team = project.owner_id is not None or bool(row["has_members"])
    if not signed_in:
        return InspireBox(paused=paused, has_team=has_team)
    team = project.owner_id == user.pk or bool(row["member"])
    return InspireBox(
        paused=paused,
        has_team=has_team,
        signed_in=True,
        team=team,
        pending_count=(row["waiting"] or 0) if team else 0,
        mine_pending=bool(row["mine"]) and not team,
    )
