"""Projects in communities: attached by their team (members of the community),
detached by the team or the moderators; shown where the viewer may see them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from communities import services
from communities.models import AuditAction, AuditEntry, CommunityProject, FeedItem
from communities.permissions import CommunityPermissionDenied
from communities.selectors import community_projects, project_communities, projects_attachable
from tests.factories import UserFactory

from .conftest import add_member, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def porteuse(community, owner):
    add_member(community, user=owner)
    return owner


@pytest.fixture
def project(make_project, porteuse):
    return make_project(owner=porteuse, title="Le Bus numérique")


def test_the_team_attaches_its_project_which_shows_in_the_community(community, porteuse, project):
    assert list(projects_attachable(community=community, user=porteuse)) == [project]
    link = services.project_attach(community=community, project=project, user=porteuse)
    assert FeedItem.objects.filter(kind="project_attached", project_link=link).exists()
    assert AuditEntry.objects.get(action=AuditAction.PROJECT_ATTACHED).target_project == project
    assert [pl.project for pl in community_projects(community=community, viewer=None)] == [project]
    assert list(project_communities(project=project, viewer=None)) == [community]
    assert list(projects_attachable(community=community, user=porteuse)) == []


def test_a_private_communitys_projects_stay_with_its_members(community, porteuse, project):
    community.visibility = "private"
    community.save()
    services.project_attach(community=community, project=project, user=porteuse)
    outsider = UserFactory()
    assert list(project_communities(project=project, viewer=outsider)) == []
    assert list(community_projects(community=community, viewer=outsider)) == []
    assert list(project_communities(project=project, viewer=porteuse)) == [community]


def test_attaching_is_refused_to_outsiders_of_the_team_or_of_the_community(
    community, porteuse, project
):
    stranger = add_member(community).user
    with refused(CommunityPermissionDenied, "Seule l'équipe du projet"):
        services.project_attach(community=community, project=project, user=stranger)
    community.memberships.filter(user=porteuse).delete()
    with refused(CommunityPermissionDenied, "Seuls les membres de la communauté"):
        services.project_attach(community=community, project=project, user=porteuse)


def test_a_draft_or_an_already_attached_project_is_refused(community, porteuse, make_project):
    draft = make_project(owner=porteuse, live=False, title="Brouillon")
    with refused(ValidationError, "projet publié", "not_live"):
        services.project_attach(community=community, project=draft, user=porteuse)
    live = make_project(owner=porteuse, title="En ligne")
    services.project_attach(community=community, project=live, user=porteuse)
    with refused(ValidationError, "déjà rattaché", "already_attached"):
        services.project_attach(community=community, project=live, user=porteuse)


def test_the_team_detaches_its_project_without_being_told(
    community, porteuse, project, sent, commit
):
    services.project_attach(community=community, project=project, user=porteuse)
    with commit():
        services.project_detach(community=community, project=project, actor=porteuse)
    assert not CommunityProject.objects.exists()
    assert not FeedItem.objects.filter(kind="project_attached").exists()
    assert not [s for s in sent if s.kind == "community.project"]


def test_a_moderator_detaches_a_project_and_the_team_is_told(
    community, porteuse, project, sent, commit
):
    services.project_attach(community=community, project=project, user=porteuse)
    with commit():
        services.project_detach(
            community=community,
            project=project,
            actor=community.owner_user,
            message="Hors du thème de la communauté.",
        )
    (notice,) = [s for s in sent if s.kind == "community.project"]
    assert notice.recipients == [porteuse.email]
    assert notice.body == "Hors du thème de la communauté."


def test_detaching_is_refused_to_members_and_for_unattached_projects(community, porteuse, project):
    member = add_member(community).user
    with refused(ValidationError, "pas rattaché", "not_attached"):
        services.project_detach(community=community, project=project, actor=porteuse)
    services.project_attach(community=community, project=project, user=porteuse)
    with refused(CommunityPermissionDenied, "Seuls l'équipe du projet et les modérateurs"):
        services.project_detach(community=community, project=project, actor=member)


def test_an_unpublished_project_leaves_the_feed_and_the_list(community, porteuse, project, editor):
    services.project_attach(community=community, project=project, user=porteuse)
    project.unpublish(user=editor)
    from communities.selectors import feed_community

    assert list(community_projects(community=community, viewer=None)) == []
    assert (
        not feed_community(community=community, viewer=None)
        .filter(kind="project_attached")
        .exists()
    )
