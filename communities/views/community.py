"""/communautes/<slug>/: a community's page, and what a visitor does there (join,
ask, leave, answer an invitation, announce, attach or detach a project). Every
action is a POST form that works without JavaScript; its outcome is a django
message, a refusal from the services included."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from innovations.models import ProjectPage

from .. import services
from ..forms import (
    AnnouncementForm,
    CharterForm,
    MessageForm,
    ProjectAttachForm,
    RequestForm,
    add_service_error,
)
from ..models import Community, FeedKind, JoinPolicy, MembershipState, Status, Visibility
from ..permissions import can_moderate, can_see_content, membership_of
from ..rules import allowed
from ..selectors import (
    community_hosts,
    community_member_count,
    community_members,
    community_projects,
    events_upcoming,
    feed_community,
    feed_page,
    projects_attachable,
)
from ._common import (
    Refusal,
    attempt,
    community_or_404,
    feed_cursor,
    invitation_for,
    refusal_text,
)

MEMBERS_PREVIEW = 12
EVENTS_PREVIEW = 5
ANNOUNCEMENTS_PREVIEW = 3


def _buttons(community: Community, user, membership) -> dict:
    """Which membership forms to show, from the rules (never re-decided here)."""
    state = membership.state if membership else None
    invitation = invitation_for(community, user) if user.is_authenticated else None
    return {
        "state": state,
        "can_join": allowed("membership_join", community=community, actor=user),
        "can_request": allowed("membership_request", community=community, actor=user),
        "can_leave": state == MembershipState.ACTIVE
        and allowed("membership_leave", community=community, actor=user),
        "last_owner": state == MembershipState.ACTIVE
        and not allowed("membership_leave", community=community, actor=user),
        "invitation": invitation,
        "invitation_only": community.join_policy == JoinPolicy.INVITATION
        or community.visibility == Visibility.SECRET,
    }


def _projects(community: Community, user) -> list[dict]:
    return [
        {
            "link": link,
            "can_detach": allowed(
                "project_detach", community=community, actor=user, target=link.project
            ),
        }
        for link in community_projects(community=community, viewer=user)
    ]


def detail_context(request: HttpRequest, community: Community, **forms) -> dict:
    user = request.user
    content = can_see_content(community=community, user=user)
    membership = membership_of(community=community, user=user)
    context = {
        "community": community,
        "membership": membership,
        "content_visible": content,
        "is_moderator": can_moderate(community=community, user=user),
        "hosts": community_hosts(community=community),
        "member_count": community_member_count(community=community),
        "domains": community.theme_domains.all(),
        "themes": community.themes.select_related("domain"),
        "territories": community.territories.distinct().order_by("level", "name"),
        "atom": community.visibility == Visibility.PUBLIC and community.status == Status.ACTIVE,
        **_buttons(community, user, membership),
    }
    if content:
        items = feed_community(community=community, viewer=user)
        attachable = projects_attachable(community=community, user=user)
        context.update(
            members=community_members(community=community, viewer=user)[:MEMBERS_PREVIEW],
            projects=_projects(community, user),
            events=list(events_upcoming(community=community, viewer=user)[:EVENTS_PREVIEW]),
            feed=feed_page(items=items, before=feed_cursor(request)),
            announcements=list(items.filter(kind=FeedKind.ANNOUNCEMENT)[:ANNOUNCEMENTS_PREVIEW]),
        )
        if membership is not None and membership.is_active and attachable.exists():
            context["attach_form"] = forms.pop("attach_form", None) or ProjectAttachForm(
                projects=attachable
            )
    if allowed("announcement_create", community=community, actor=user):
        context["announce_form"] = forms.pop("announce_form", None) or AnnouncementForm()
    context["join_form"] = forms.pop("join_form", None) or CharterForm(community=community)
    context["request_form"] = forms.pop("request_form", None) or RequestForm(community=community)
    context["accept_form"] = forms.pop("accept_form", None) or CharterForm(
        community=community, prefix="invitation"
    )
    context.update(forms)
    return context


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    return render(request, "communities/community_detail.html", detail_context(request, community))


def _back(community: Community) -> HttpResponse:
    return redirect("communities:detail", slug=community.slug)


def _again(request: HttpRequest, community: Community, **forms) -> HttpResponse:
    """The page again with the form and its errors (nothing was written)."""
    context = detail_context(request, community, **forms)
    return render(request, "communities/community_detail.html", context)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    form = CharterForm(request.POST, community=community)
    if not form.is_valid():
        return _again(request, community, join_form=form)
    try:
        services.membership_join(
            community=community, user=request.user, charter_accepted=form.charter_accepted
        )
    except Refusal as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(
            request,
            _("Bienvenue dans la communauté « %(name)s » !") % {"name": community.name},
        )
    return _back(community)


@login_required
@require_POST
def request_membership(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    form = RequestForm(request.POST, community=community)
    if form.is_valid():
        try:
            services.membership_request(
                community=community,
                user=request.user,
                message=form.cleaned_data["message"],
                charter_accepted=form.charter_accepted,
            )
        except Refusal as exc:
            if getattr(exc, "code", None) in ("message_required", "too_long", "charter"):
                add_service_error(form, exc)
            else:
                messages.error(request, refusal_text(exc))
                return _back(community)
        else:
            messages.success(
                request,
                _("Votre demande est envoyée : les modérateurs vous répondront bientôt."),
            )
            return _back(community)
    return _again(request, community, request_form=form)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    attempt(
        request,
        lambda: services.membership_leave(community=community, user=request.user),
        _("Vous avez quitté la communauté « %(name)s ».") % {"name": community.name},
    )
    return _back(community)


@login_required
@require_POST
def request_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    membership = membership_of(community=community, user=request.user)
    if membership is None or membership.state != MembershipState.REQUESTED:
        messages.error(request, _("Vous n'avez pas de demande en attente dans cette communauté."))
        return _back(community)
    attempt(
        request,
        lambda: services.membership_leave(community=community, user=request.user),
        _("Votre demande d'adhésion est retirée."),
    )
    return _back(community)


@login_required
@require_POST
def invitation_accept(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    invitation = invitation_for(community, request.user)
    if invitation is None:
        messages.error(request, _("Vous n'avez pas d'invitation en attente dans cette communauté."))
        return _back(community)
    form = CharterForm(request.POST, community=community, prefix="invitation")
    if not form.is_valid():
        return _again(request, community, accept_form=form)
    attempt(
        request,
        lambda: services.invitation_accept(
            token=invitation.token, user=request.user, charter_accepted=form.charter_accepted
        ),
        _("Bienvenue dans la communauté « %(name)s » !") % {"name": community.name},
    )
    return _back(community)


@login_required
@require_POST
def invitation_decline(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    invitation = invitation_for(community, request.user)
    if invitation is None:
        messages.error(request, _("Vous n'avez pas d'invitation en attente dans cette communauté."))
        return _back(community)
    done = attempt(
        request,
        lambda: services.invitation_decline(token=invitation.token, user=request.user),
        _("Invitation déclinée."),
    )
    if done and community.visibility == Visibility.SECRET:
        return redirect("communities:mine")  # the page is no longer theirs to see
    return _back(community)


@login_required
@require_POST
def announce(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            services.announcement_create(
                community=community,
                actor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except Refusal as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, refusal_text(exc))
                return _back(community)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Annonce publiée : les membres en sont avertis."))
            return _back(community)
    if not allowed("announcement_create", community=community, actor=request.user):
        messages.error(request, _("Seuls les modérateurs de la communauté peuvent faire cela."))
        return _back(community)
    return _again(request, community, announce_form=form)


@login_required
@require_POST
def project_attach(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(request, slug)
    projects = projects_attachable(community=community, user=request.user)
    form = ProjectAttachForm(request.POST, projects=projects)
    if not form.is_valid():
        if not membership_of(community=community, user=request.user):
            messages.error(
                request, _("Seuls les membres de la communauté peuvent y rattacher un projet.")
            )
            return _back(community)
        return _again(request, community, attach_form=form)
    project = form.cleaned_data["project"]
    attempt(
        request,
        lambda: services.project_attach(community=community, project=project, user=request.user),
        _("Le projet « %(title)s » est rattaché à la communauté.") % {"title": project.title},
    )
    return _back(community)


@login_required
@require_POST
def project_detach(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    community = community_or_404(request, slug)
    project = ProjectPage.objects.filter(pk=project_id).first()
    if project is None:
        raise Http404(_("Ce projet n'existe pas."))
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("message", [])))
        return _back(community)
    message = form.cleaned_data["message"]
    attempt(
        request,
        lambda: services.project_detach(
            community=community, project=project, actor=request.user, message=message
        ),
        _("Le projet « %(title)s » est détaché de la communauté.") % {"title": project.title},
    )
    return _back(community)
