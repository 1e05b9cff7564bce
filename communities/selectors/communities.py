"""Reads about communities, their members and projects, filtered by what the
viewer may see (communities/permissions.py). A content selector returns nothing to
a viewer who may not see the content; the public pages answer 404 to them first."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from innovations.models import ProjectPage
from innovations.selectors import projects_live, with_card_data

from ..models import (
    AuditEntry,
    Community,
    CommunityInvitation,
    CommunityProject,
    Membership,
    MembershipState,
    Role,
    Status,
)
from ..permissions import (
    can_moderate,
    can_see_content,
    community_content_visible_to,
    community_visible_to,
    invitations_open_to,
)

ROLE_ORDER = {Role.OWNER: 0, Role.MODERATOR: 1, Role.MEMBER: 2}


def community_get_visible(*, slug: str, user) -> Community | None:
    """The community at ``slug`` if ``user`` may see it (else None: answer 404)."""
    return community_visible_to(user=user).filter(slug=slug).first()


def territory_filter(territory) -> Q:
    """Communities tied to ``territory``, to a place inside it, or to the areas that
    contain it (a régional community is found from one of its communes)."""
    level, code = territory.level, territory.code
    if level == "region":
        return Q(territories__region_code=code)
    if level == "departement":
        return Q(territories__departement_code=code) | Q(
            territories__level="region", territories__code=territory.region_code
        )
    return (
        Q(territories=territory)
        | Q(territories__level="departement", territories__code=territory.departement_code)
        | Q(territories__level="region", territories__code=territory.region_code)
    )


def communities_directory(
    *,
    user,
    kind: str = "",
    theme=None,
    domain=None,
    territory=None,
    join_policy: str = "",
    query: str = "",
) -> QuerySet[Community]:
    """The directory ``/communautes/``: listed communities (secret ones only to their
    members), filtered. ``theme`` (a Theme) also finds communities tied to its
    domain; ``domain`` (a ThemeDomain) those tied to any of its sub-themes."""
    communities = community_visible_to(user=user).filter(status=Status.ACTIVE)
    if kind:
        communities = communities.filter(kind=kind)
    if join_policy:
        communities = communities.filter(join_policy=join_policy)
    if theme is not None:
        communities = communities.filter(Q(themes=theme) | Q(theme_domains=theme.domain_id))
    if domain is not None:
        communities = communities.filter(Q(theme_domains=domain) | Q(themes__domain=domain))
    if territory is not None:
        communities = communities.filter(territory_filter(territory))
    query = (query or "").strip()
    if query:
        communities = communities.filter(
            Q(name__icontains=query) | Q(short_description__icontains=query)
        )
    active = Q(memberships__state=MembershipState.ACTIVE)
    return (
        communities.distinct()
        .select_related("image")
        .annotate(member_count=Count("memberships", filter=active, distinct=True))
        .order_by("name")
    )


def communities_of_user(*, user) -> QuerySet[Membership]:
    """« Mes communautés »: the user's active memberships, pending requests and
    invitations (``state`` says which; « invité·e » only while the invitation works)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    states = [MembershipState.ACTIVE, MembershipState.REQUESTED]
    invited = invitations_open_to(user=user).values("community_id")
    return (
        Membership.objects.filter(
            Q(state__in=states) | Q(state=MembershipState.INVITED, community_id__in=invited),
            user=user,
        )
        .select_related("community", "community__image")
        .order_by("state", "community__name")
    )


def _ordered_members(memberships: QuerySet[Membership]) -> list[Membership]:
    rows = list(memberships.select_related("user", "user__profile"))
    rows.sort(key=lambda m: (ROLE_ORDER.get(m.role, 9), str(m.user).lower()))
    return rows


def community_hosts(*, community: Community) -> list[Membership]:
    """Owners and moderators, shown with the presentation to whoever sees it."""
    return _ordered_members(
        community.memberships.filter(
            state=MembershipState.ACTIVE, role__in=[Role.OWNER, Role.MODERATOR]
        )
    )


def community_members(*, community: Community, viewer) -> list[Membership]:
    if not can_see_content(community=community, user=viewer):
        return []
    return _ordered_members(community.memberships.filter(state=MembershipState.ACTIVE))


def community_member_count(*, community: Community) -> int:
    return community.memberships.filter(state=MembershipState.ACTIVE).count()


def _moderated(community: Community, viewer, queryset: QuerySet) -> QuerySet:
    if not can_moderate(community=community, user=viewer):
        return queryset.none()
    return queryset


def membership_requests_pending(*, community: Community, viewer) -> QuerySet[Membership]:
    requests = community.memberships.filter(state=MembershipState.REQUESTED)
    return _moderated(community, viewer, requests.select_related("user").order_by("created_at"))


def memberships_banned(*, community: Community, viewer) -> QuerySet[Membership]:
    banned = community.memberships.filter(state=MembershipState.BANNED).select_related("user")
    return _moderated(community, viewer, banned.order_by("-updated_at"))


def invitations_pending(*, community: Community, viewer) -> QuerySet[CommunityInvitation]:
    """Invitations that may still be accepted: an expired one is not pending (its link
    says so; inviting the address again replaces it)."""
    pending = community.invitations.filter(
        accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=timezone.now()
    )
    return _moderated(community, viewer, pending.select_related("invited_by"))


def audit_entries(*, community: Community, viewer) -> QuerySet[AuditEntry]:
    entries = community.audit_entries.select_related("actor", "target_user", "target_project")
    return _moderated(community, viewer, entries)


def invitation_pending_by_token(*, token: str) -> CommunityInvitation | None:
    """The invitation of a link, if it has not been accepted, declined or revoked;
    it may have expired (``invitation.is_expired()``: say so rather than 404)."""
    if not token:
        return None
    return (
        CommunityInvitation.objects.select_related("community", "invited_by")
        .filter(token=token, accepted_at__isnull=True, declined_at__isnull=True)
        .first()
    )


def community_projects(*, community: Community, viewer) -> QuerySet[CommunityProject]:
    """Projects attached to the community that anyone may open (live, without a
    Wagtail view restriction), with what their cards show prefetched."""
    if not can_see_content(community=community, user=viewer):
        return CommunityProject.objects.none()
    return (
        community.project_links.filter(project__in=projects_live())
        .select_related("attached_by")
        .prefetch_related(Prefetch("project", queryset=with_card_data(ProjectPage.objects.all())))
    )


def project_communities(*, project, viewer) -> QuerySet[Community]:
    """The communities a project page shows: those whose content the viewer sees."""
    return (
        community_content_visible_to(user=viewer)
        .filter(project_links__project=project, status=Status.ACTIVE)
        .distinct()
        .order_by("name")
    )


def projects_attachable(*, community: Community, user):
    """The projects of ``user``'s team that anyone may open (live, not restricted)
    and are not yet in ``community`` (the attach form)."""
    if not user.is_authenticated:
        return ProjectPage.objects.none()
    team = Q(owner=user) | Q(members__user=user)
    attached = community.project_links.values("project_id")
    return projects_live().filter(team).exclude(pk__in=attached).distinct().order_by("title")


def community_proposals_pending() -> QuerySet[Community]:
    return Community.objects.filter(status=Status.PROPOSED).select_related("proposed_by")
